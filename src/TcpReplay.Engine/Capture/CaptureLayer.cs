namespace TcpReplay.Engine.Capture;

/// <summary>The layer a capture source reads packets at.</summary>
public enum CaptureLayer
{
    /// <summary>Not decided or not capturing.</summary>
    None,

    /// <summary>
    /// The IPv4 layer (a raw socket): packets the kernel delivers to this host, after netfilter's INPUT path.
    /// Packets DNATed to a container are forwarded and never appear here.
    /// </summary>
    IpLayer,

    /// <summary>The datalink (AF_PACKET through libpcap): every frame the interface receives, forwarded ones too.</summary>
    Datalink,
}
