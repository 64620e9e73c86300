namespace TcpReplay.Engine.Capture;

/// <summary>How the copier captures client packets on the online host.</summary>
public enum CaptureMode
{
    /// <summary>Probe both layers and keep the one that sees the traffic (<see cref="AutoCapture"/>).</summary>
    Auto,

    /// <summary>A raw IPv4 socket: sees only packets the kernel delivers locally (<see cref="RawSocketCapture"/>).</summary>
    RawSocket,

    /// <summary>libpcap on an interface: sees every frame, forwarded ones included (<see cref="PcapCapture"/>).</summary>
    Pcap,
}
