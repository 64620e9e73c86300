using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// Opens libpcap and a raw IPv4 socket for the same client ports, finds out which layer the traffic reaches, and
/// keeps that one: the raw socket when the service is local (cheaper), libpcap when it is reached by forwarding
/// (DNAT to a container, as Docker publishes ports), which raw sockets never see.
/// </summary>
/// <remarks>
/// <para>While probing, the datalink's packets are delivered (libpcap sees everything) and the raw socket's are only
/// counted. After <see cref="CaptureOptions.ProbePackets"/> client packets on the datalink, or
/// <see cref="CaptureOptions.ProbeTime"/> with at least one, the counts are compared (see <see cref="Decision"/>).</para>
/// <para>Keeping libpcap closes the raw socket, which delivered nothing. Keeping the raw socket first holds what the raw
/// socket reads while libpcap goes on delivering, until libpcap has read a packet captured after that moment (or for
/// <see cref="CaptureOptions.SwitchOverlap"/>): every packet the raw socket only counted was therefore delivered by
/// libpcap. Then libpcap is closed and the held packets go, before any newer one. libpcap hands packets over in blocks
/// (up to its batch window late) while the raw socket hands each over at once, so delivering both as they came would
/// put a connection's later segments before its SYN and start its copy mid-stream. The switch can deliver a packet
/// twice, never lose one or reorder a connection; dropping the duplicates (client retransmissions to the consumer) is
/// the consumer's job.</para>
/// <para>The sink is called by one thread at a time, also during the switch.</para>
/// </remarks>
public sealed class AutoCapture : ICaptureSource
{
    private const int Probing = 0;
    private const int Switching = 1;
    private const int IpLayerOnly = 2;
    private const int DatalinkOnly = 3;

    // Lets the raw socket's thread count the packets libpcap counted just before the comparison.
    private static readonly TimeSpan CountSettleTime = TimeSpan.FromMilliseconds(200);

    // The raw socket's packets held during the switch, at most: beyond it the switch ends early rather than holding
    // more buffers (libpcap has then had far longer than its batch window to catch up).
    private const int HeldCapacity = 4096;

    private readonly PcapCapture? _pcap;
    private readonly RawSocketCapture? _raw;
    private readonly PacketBufferPool _pool;
    private readonly CaptureOptions _options;
    private readonly PortSet _ports;
    private readonly Dictionary<ushort, int> _portIndex = [];
    private readonly long[] _datalinkCounts;
    private readonly long[] _ipLayerCounts;
    private readonly string _interfaceName;
    private readonly object _sinkLock = new();
    private readonly object _gate = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly ManualResetEventSlim _stopping = new(false);
    private readonly CaptureCounters _counters = new();
    private readonly Queue<(PacketBuffer Buffer, LinkType LinkType)> _held = new();
    private readonly Lock _holdLock = new();
    private long _datalinkTotal;
    private long _switchTimestamp = long.MaxValue;
    private volatile int _phase;
    private volatile CaptureDecision? _decision;
    private ICaptureSink? _sink;
    private Thread? _control;
    private bool _started;
    private bool _disposed;

    /// <summary>Opens both captures (in the network namespace of the calling thread).</summary>
    /// <param name="interfaceName">The interface the clients' packets arrive on (or "any"), for libpcap.</param>
    /// <param name="ports">The online service's TCP ports.</param>
    /// <param name="pool">Buffers for delivered packets.</param>
    /// <param name="onlineAddress">Only packets to this IPv4 address (host-order number of the wire value), or any.</param>
    /// <param name="options">Tuning; <see cref="CaptureOptions.Default"/> when null.</param>
    /// <exception cref="CaptureException">The interface or the filter is wrong, or neither capture can be opened.
    /// When only one opens, it is used and <see cref="Decision"/> says why.</exception>
    public AutoCapture(string interfaceName, IEnumerable<ushort> ports, PacketBufferPool pool, uint? onlineAddress = null, CaptureOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        ArgumentNullException.ThrowIfNull(pool);
        _options = options ?? CaptureOptions.Default;
        _options.Validate();
        _pool = pool;
        _interfaceName = interfaceName;
        _ports = new PortSet(CaptureFilters.SortedPorts(ports, nameof(ports)));
        for (var i = 0; i < _ports.Ports.Count; i++)
        {
            _portIndex[_ports.Ports[i]] = i;
        }

        _datalinkCounts = new long[_ports.Ports.Count];
        _ipLayerCounts = new long[_ports.Ports.Count];

        CaptureException? pcapError = null;
        CaptureException? rawError = null;
        try
        {
            _pcap = new PcapCapture(interfaceName, CaptureFilters.ForClientPorts(_ports.Ports, onlineAddress), pool, _options);
        }
        catch (CaptureException ex) when (ex.Kind is CaptureErrorKind.LibPcapMissing or CaptureErrorKind.OpenFailed or CaptureErrorKind.NotPermitted)
        {
            // A wrong interface name or filter is the caller's mistake and is thrown; anything else falls back.
            pcapError = ex;
        }

        try
        {
            _raw = new RawSocketCapture(_ports.Ports, pool, onlineAddress, _options);
        }
        catch (CaptureException ex)
        {
            rawError = ex;
        }

        if (_pcap is null && _raw is null)
        {
            if (rawError!.Kind == CaptureErrorKind.NotPermitted && pcapError!.Kind == CaptureErrorKind.NotPermitted)
            {
                throw CaptureException.NotPermitted($"a raw IPv4 socket or libpcap on {interfaceName}", rawError);
            }

            throw new CaptureException(pcapError!.Kind, $"Neither capture layer could be opened. libpcap: {pcapError.Message} Raw socket: {rawError.Message}", pcapError);
        }

        if (_pcap is null)
        {
            _phase = IpLayerOnly;
            _decision = new CaptureDecision(
                CaptureLayer.IpLayer,
                $"libpcap could not be opened on {interfaceName} ({pcapError!.Message}); using the raw IPv4 socket, "
                + "which misses traffic forwarded to containers (DNAT)",
                0,
                0);
        }
        else if (_raw is null)
        {
            _phase = DatalinkOnly;
            _decision = new CaptureDecision(
                CaptureLayer.Datalink,
                $"the raw IPv4 socket could not be opened ({rawError!.Message}); using libpcap on {interfaceName}",
                0,
                0);
        }
    }

    /// <summary>The choice once made (at once when only one layer could be opened); null while probing.</summary>
    public CaptureDecision? Decision => _decision;

    /// <summary>Raised once, on a background thread, when <see cref="Decision"/> is made (or from <see cref="Start"/> when it was made on opening).</summary>
    public event Action<CaptureDecision>? Decided;

    /// <summary>The layer whose packets are delivered now: the datalink while probing.</summary>
    public CaptureLayer Layer => _phase is Switching or IpLayerOnly ? CaptureLayer.IpLayer : CaptureLayer.Datalink;

    public string Description => _phase switch
    {
        Probing => $"auto: delivering from {_pcap!.Description}, probing {_raw!.Description}",
        Switching => $"auto: switching to {_raw!.Description}",
        IpLayerOnly => $"auto: {_raw!.Description}",
        _ => $"auto: {_pcap!.Description}",
    };

    public CaptureStatus Status
    {
        get
        {
            var active = ActiveSource;
            return active.Status == CaptureStatus.Failed ? CaptureStatus.Failed
                : _disposed ? CaptureStatus.Stopped
                : _started ? CaptureStatus.Running
                : CaptureStatus.Created;
        }
    }

    public string? FailureReason => ActiveSource.FailureReason;

    /// <summary>
    /// <see cref="CaptureSourceStatistics.Delivered"/> and <see cref="CaptureSourceStatistics.SinkFailed"/> count what
    /// this source handed on; the other counters add up both layers' (so a packet both read counts twice in Received).
    /// </summary>
    public CaptureSourceStatistics Statistics
    {
        get
        {
            var own = _counters.Snapshot();
            var layers = (_pcap?.Statistics ?? default) + (_raw?.Statistics ?? default);
            return layers with { Delivered = own.Delivered, SinkFailed = own.SinkFailed };
        }
    }

    private ICaptureSource ActiveSource => _phase is Switching or IpLayerOnly ? _raw! : _pcap!;

    public void Start(ICaptureSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("The capture was already started.");
            }

            _started = true;
            _sink = sink;
            _pcap?.Start(new DatalinkSide(this));
            _raw?.Start(new IpLayerSide(this));
            if (_decision is { } early)
            {
                // Only one layer opened: nothing to probe.
                RaiseDecided(early);
                return;
            }

            _control = new Thread(Control) { IsBackground = true, Name = "TcpReplay auto capture" };
            _control.Start();
        }
    }

    /// <summary>Stops both layers and joins the threads (within 2 s together); never throws.</summary>
    public void Dispose()
    {
        Thread? control;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            control = _control;
        }

        _stopping.Set();
        _wake.Set();
        _pcap?.RequestStop();
        _raw?.RequestStop();
        if (control is not null && control != Thread.CurrentThread)
        {
            control.Join(CaptureWorker.JoinTimeout);
        }

        _pcap?.Dispose();
        _raw?.Dispose();
        lock (_holdLock)
        {
            // A control thread that did not end in time leaves what it held.
            while (_held.TryDequeue(out var held))
            {
                _pool.Return(held.Buffer);
            }
        }
    }

    private void Control()
    {
        var deadline = Environment.TickCount64 + (long)_options.ProbeTime.TotalMilliseconds;
        while (!_stopping.IsSet)
        {
            _wake.Wait(_options.PollInterval);
            _wake.Reset();
            if (_pcap!.Status == CaptureStatus.Failed)
            {
                FallBackToIpLayer();
                return;
            }

            var total = Interlocked.Read(ref _datalinkTotal);
            if (total >= _options.ProbePackets || (total > 0 && Environment.TickCount64 >= deadline))
            {
                break;
            }
        }

        if (_stopping.Wait(CountSettleTime))
        {
            return;
        }

        var decision = CaptureProbe.Decide(_ports.Ports, Snapshot(_datalinkCounts), Snapshot(_ipLayerCounts), _interfaceName);
        _decision = decision;
        if (decision.Layer == CaptureLayer.Datalink)
        {
            _phase = DatalinkOnly;
            RaiseDecided(decision);
            _raw!.Dispose();
            return;
        }

        // The phase changes before the timestamp is taken: a packet the raw socket only counted was read before the
        // change, so libpcap stamped it before the timestamp and delivers it before any packet stamped after.
        _wake.Reset();
        _phase = Switching;
        Interlocked.Exchange(ref _switchTimestamp, RawSocketCapture.UnixNanosecondsNow());
        RaiseDecided(decision);
        var overlapEnd = Environment.TickCount64 + (long)_options.SwitchOverlap.TotalMilliseconds;
        while (!_stopping.IsSet && !_wake.IsSet && Environment.TickCount64 < overlapEnd)
        {
            _wake.Wait(_options.PollInterval);
        }

        EndSwitch(deliver: !_stopping.IsSet);
        _pcap!.Dispose();
    }

    /// <summary>
    /// libpcap has caught up (or the overlap ran out): the held raw-socket packets go first, then the raw socket alone.
    /// A capture being disposed hands them back to the pool instead.
    /// </summary>
    private void EndSwitch(bool deliver)
    {
        // The raw socket's thread waits on the lock meanwhile, so nothing it reads overtakes what it held; libpcap,
        // caught up, delivers only packets the held ones repeat.
        lock (_holdLock)
        {
            while (_held.TryDequeue(out var held))
            {
                if (deliver)
                {
                    Deliver(held.Buffer, held.LinkType);
                }
                else
                {
                    _pool.Return(held.Buffer);
                }
            }

            _phase = IpLayerOnly;
        }
    }

    private void FallBackToIpLayer()
    {
        // libpcap died while it was the delivering layer (the interface went away, say): the raw socket is what is
        // left. Packets between libpcap's end and now are lost either way.
        var decision = new CaptureDecision(
            CaptureLayer.IpLayer,
            $"libpcap on {_interfaceName} stopped while probing ({_pcap!.FailureReason}); using the raw IPv4 socket, "
            + "which misses traffic forwarded to containers (DNAT)",
            Sum(_ipLayerCounts),
            Sum(_datalinkCounts));
        _decision = decision;
        _phase = IpLayerOnly;
        RaiseDecided(decision);
        _pcap.Dispose();
    }

    private static long Sum(long[] counts)
    {
        long sum = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            sum += Interlocked.Read(ref counts[i]);
        }

        return sum;
    }

    private static long[] Snapshot(long[] counts)
    {
        var copy = new long[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            copy[i] = Interlocked.Read(ref counts[i]);
        }

        return copy;
    }

    private void RaiseDecided(CaptureDecision decision)
    {
        try
        {
            Decided?.Invoke(decision);
        }
        catch (Exception)
        {
            // A subscriber's failure must not stop the capture it observes.
        }
    }

    private void OnDatalinkPacket(PacketBuffer buffer, LinkType linkType)
    {
        switch (_phase)
        {
            case Probing:
                if (CountPort(buffer.Span, linkType, _datalinkCounts)
                    && Interlocked.Increment(ref _datalinkTotal) == _options.ProbePackets)
                {
                    _wake.Set();
                }

                Deliver(buffer, linkType);
                break;
            case Switching:
                if (buffer.TimestampNanoseconds >= Interlocked.Read(ref _switchTimestamp))
                {
                    _wake.Set();
                }

                Deliver(buffer, linkType);
                break;
            case IpLayerOnly:
                _pool.Return(buffer);
                break;
            default:
                Deliver(buffer, linkType);
                break;
        }
    }

    private void OnIpLayerPacket(PacketBuffer buffer, LinkType linkType)
    {
        switch (_phase)
        {
            case Probing:
                CountPort(buffer.Span, linkType, _ipLayerCounts);
                _pool.Return(buffer);
                break;
            case Switching:
                lock (_holdLock)
                {
                    if (_phase == Switching)
                    {
                        _held.Enqueue((buffer, linkType));
                        if (_held.Count >= HeldCapacity)
                        {
                            _wake.Set();
                        }

                        return;
                    }
                }

                Deliver(buffer, linkType);
                break;
            case IpLayerOnly:
                Deliver(buffer, linkType);
                break;
            default:
                _pool.Return(buffer);
                break;
        }
    }

    private bool CountPort(ReadOnlySpan<byte> frame, LinkType linkType, long[] counts)
    {
        if (LinkHeader.TryGetIpv4Offset(frame, linkType, out var offset)
            && Ipv4TcpPorts.TryRead(frame[offset..], out _, out _, out var port)
            && _portIndex.TryGetValue(port, out var index))
        {
            Interlocked.Increment(ref counts[index]);
            return true;
        }

        return false;
    }

    private void Deliver(PacketBuffer buffer, LinkType linkType)
    {
        // Two capture threads deliver during the switch; the sink is promised one at a time.
        lock (_sinkLock)
        {
            try
            {
                _sink!.OnPacket(buffer, linkType);
                _counters.AddDelivered();
            }
            catch (Exception)
            {
                _counters.AddSinkFailed();
            }
        }
    }

    private sealed class DatalinkSide(AutoCapture owner) : ICaptureSink
    {
        public void OnPacket(PacketBuffer buffer, LinkType linkType) => owner.OnDatalinkPacket(buffer, linkType);
    }

    private sealed class IpLayerSide(AutoCapture owner) : ICaptureSink
    {
        public void OnPacket(PacketBuffer buffer, LinkType linkType) => owner.OnIpLayerPacket(buffer, linkType);
    }
}
