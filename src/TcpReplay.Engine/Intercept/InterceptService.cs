using System.Net.Sockets;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Intercept;

/// <summary>
/// The assistant's side: captures the target's answers to fake clients with libpcap and reports each to the copier
/// that announced the connection. The kernel never forwards them (ip_forward must be 0), so no fake client and no
/// real client ever sees the target's packets.
/// </summary>
public sealed class InterceptService : IDisposable, ICaptureBatchSink
{
    private readonly InterceptServiceOptions _options;
    private readonly PacketBufferPool _pool = new(bufferSize: 65535 + 128, maximumRetained: 1024);
    private InterceptServer? _server;
    private ICaptureSource? _capture;
    private long _captured;
    private long _notIp;
    private int _stopped;

    public InterceptService(InterceptServiceOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

    public string Filter { get; private set; } = string.Empty;

    public InterceptServer Server => _server ?? throw new InvalidOperationException("The intercept has not started.");

    public long Captured => Interlocked.Read(ref _captured);

    public long NotIp => Interlocked.Read(ref _notIp);

    public CaptureSourceStatistics? CaptureStatistics => _capture?.Statistics;

    /// <exception cref="InterceptException">ip_forward is on (without AllowForwarding), or the channel port is taken.</exception>
    /// <exception cref="CaptureException">The capture cannot be opened.</exception>
    public void Start()
    {
        if (Sysctl.IpForwarding == true && !_options.AllowForwarding)
        {
            throw new InterceptException(InterceptErrorKind.IpForwardingEnabled,
                "This host forwards IP packets (net.ipv4.ip_forward = 1): the target's answers to the fake clients would be forwarded on instead of stopping here.");
        }

        Filter = _options.Filter ?? DefaultFilter();
        JitWarmUp.PrepareInterceptPathInBackground();
        try
        {
            _server = new InterceptServer(_options.Server);
            _server.Start();
            _capture = new PcapCapture(_options.Interface, Filter, _pool, CaptureOptions.Default with { BatchWindow = _options.CaptureBatchWindow });
            _capture.Start(this);
        }
        catch (SocketException exception)
        {
            Stop();
            throw new InterceptException(InterceptErrorKind.ChannelPortUnavailable,
                $"The channel port {_options.Server.Listen} cannot be bound: {exception.Message}.", exception);
        }
        catch
        {
            Stop();
            throw;
        }
    }

    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _capture?.Dispose();
        _server?.Dispose();
    }

    public void Dispose() => Stop();

    void ICaptureSink.OnPacket(PacketBuffer buffer, LinkType linkType)
    {
        Interlocked.Increment(ref _captured);
        if (LinkLayer.TryGetNetworkOffset(linkType, buffer.Span, out var offset) == PacketParseStatus.Ok)
        {
            _server?.Route(buffer.Span[offset..], buffer.TimestampNanoseconds);
        }
        else
        {
            Interlocked.Increment(ref _notIp);
        }

        _pool.Return(buffer);
    }

    void ICaptureBatchSink.OnBatchDelivered() => _server?.FlushAll();

    private IEnumerable<uint> OwnAddresses()
    {
        var interfaces = _options.Interface == "any"
            ? NetworkInterfaces.List()
            : NetworkInterfaces.Find(_options.Interface) is { } found ? [found] : [];
        return interfaces.SelectMany(facts => facts.Addresses).Select(network => network.Address);
    }

    private string DefaultFilter()
    {
        return _options.TargetPorts.Count == 0
            ? CaptureFilters.ForAllTargetResponses(_options.Server.Listen.Port, OwnAddresses())
            : CaptureFilters.ForTargetResponses(_options.TargetPorts);
    }
}
