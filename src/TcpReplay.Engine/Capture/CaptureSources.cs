using TcpReplay.Engine.Buffers;

namespace TcpReplay.Engine.Capture;

/// <summary>Opens the capture source a <see cref="CaptureMode"/> names, for the client packets of the online service.</summary>
public static class CaptureSources
{
    /// <summary>
    /// Opens (in the network namespace of the calling thread) an <see cref="AutoCapture"/>, a
    /// <see cref="RawSocketCapture"/> or a <see cref="PcapCapture"/> filtered by <see cref="CaptureFilters.ForClientPorts"/>.
    /// </summary>
    /// <param name="mode">Which capture.</param>
    /// <param name="interfaceName">The interface for libpcap (or "any"); ignored by <see cref="CaptureMode.RawSocket"/>.</param>
    /// <param name="ports">The online service's TCP ports.</param>
    /// <param name="pool">Buffers for delivered packets.</param>
    /// <param name="onlineAddress">Only packets to this IPv4 address (host-order number of the wire value), or any.</param>
    /// <param name="options">Tuning; <see cref="CaptureOptions.Default"/> when null.</param>
    /// <exception cref="CaptureException">The capture cannot be opened; the message names the fix.</exception>
    public static ICaptureSource Open(
        CaptureMode mode,
        string interfaceName,
        IEnumerable<ushort> ports,
        PacketBufferPool pool,
        uint? onlineAddress = null,
        CaptureOptions? options = null) => mode switch
        {
            CaptureMode.Auto => new AutoCapture(interfaceName, ports, pool, onlineAddress, options),
            CaptureMode.RawSocket => new RawSocketCapture(ports, pool, onlineAddress, options),
            CaptureMode.Pcap => new PcapCapture(interfaceName, CaptureFilters.ForClientPorts(ports, onlineAddress), pool, options),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown capture mode."),
        };
}
