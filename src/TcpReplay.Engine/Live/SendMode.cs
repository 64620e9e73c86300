namespace TcpReplay.Engine.Live;

/// <summary>How the copier puts its packets on the wire.</summary>
public enum SendMode
{
    /// <summary>A raw IPv4 socket with the header included; the kernel routes and resolves the next hop.</summary>
    RawSocket,

    /// <summary>libpcap injection at the datalink on an interface, with the next hop's MAC address resolved first.</summary>
    Pcap,
}
