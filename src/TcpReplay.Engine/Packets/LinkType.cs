namespace TcpReplay.Engine.Packets;

/// <summary>Link-layer header types, numbered as LINKTYPE_* values in pcap and pcapng files.</summary>
public enum LinkType : ushort
{
    Null = 0,
    Ethernet = 1,
    Raw = 101,
    Loop = 108,
    LinuxSll = 113,
    Ipv4 = 228,
    Ipv6 = 229,
    LinuxSll2 = 276,
}
