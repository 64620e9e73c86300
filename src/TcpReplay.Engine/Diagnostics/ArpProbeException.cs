namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// ARP could not be sent or captured on the interface: libpcap missing, no permission (CAP_NET_RAW), or an
/// interface without Ethernet framing. Never thrown because nobody answered.
/// </summary>
public sealed class ArpProbeException : Exception
{
    public ArpProbeException(string interfaceName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        InterfaceName = interfaceName;
    }

    public string InterfaceName { get; }
}
