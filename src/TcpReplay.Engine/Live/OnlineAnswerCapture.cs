using System.Text;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Live;

/// <summary>
/// The other direction on the online host: captures the online server's answers to its clients (source port = a
/// copied port) with libpcap and hands them to the copy engine, which compares them with the target's answers. A
/// capture of its own beside the client capture, so the copy path is not touched by it.
/// </summary>
/// <remarks>
/// Needs libpcap: the IP-layer raw socket sees only packets coming in. The snap length is a whole packet because a
/// GSO/TSO answer is captured before it is cut into segments; only its headers and first bytes are read.
/// </remarks>
internal sealed class OnlineAnswerCapture : ICaptureSink, IDisposable
{
    private readonly CopyEngine _engine;
    private readonly PacketBufferPool _pool = new(PacketBufferPool.DefaultBufferSize, maximumRetained: 128);
    private readonly PcapCapture _capture;

    /// <exception cref="CaptureException">libpcap is missing, the interface does not exist, or the process may not capture.</exception>
    public OnlineAnswerCapture(CopyEngine engine, string interfaceName, IReadOnlyCollection<ushort> ports, uint? onlineAddress)
    {
        _engine = engine;
        Filter = FilterFor(ports, onlineAddress);
        // Both directions: the answers leave the host, and the client capture's inbound-only setting would hide them.
        _capture = new PcapCapture(interfaceName, Filter, _pool, new CaptureOptions { InboundOnly = false, KernelBufferBytes = 16 * 1024 * 1024 });
    }

    /// <summary>The BPF filter, e.g. <c>src host 198.18.0.20 and (tcp src port 8080)</c>.</summary>
    public string Filter { get; }

    public CaptureSourceStatistics Statistics => _capture.Statistics;

    public string Description => _capture.Description;

    /// <summary>The online server's packets from these ports (and address, when there is one).</summary>
    internal static string FilterFor(IEnumerable<ushort> ports, uint? onlineAddress)
    {
        var builder = new StringBuilder();
        foreach (var port in CaptureFilters.SortedPorts(ports, nameof(ports)))
        {
            builder.Append(builder.Length > 0 ? " or " : string.Empty).Append("tcp src port ").Append(port);
        }

        return onlineAddress is { } address ? $"src host {CaptureFilters.FormatAddress(address)} and ({builder})" : builder.ToString();
    }

    public void Start() => _capture.Start(this);

    public void Dispose() => _capture.Dispose();

    void ICaptureSink.OnPacket(PacketBuffer buffer, LinkType linkType) => _engine.PostOnlinePacket(buffer, linkType);
}
