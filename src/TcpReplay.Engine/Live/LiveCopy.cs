using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Runs;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Live;

/// <summary>
/// A live copy on the online host: captures the client packets of the transfers, plays them against the target
/// through the copy engine, and takes the target's answers from the intercepts.
/// </summary>
/// <remarks>
/// Start order does not matter: the intercept links connect in the background and retry with backoff, and the
/// copy reports each connection that began while no intercept was up. <see cref="Stop"/> returns within 2 s.
/// </remarks>
public sealed class LiveCopy : ICopyRun, ICaptureSink, IResponsePayloadSink
{
    private static readonly TimeSpan ClientCaptureBatchWindow = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// libpcap's 256 KiB blocks retire at this window however little they hold, so 10 ms lets the default 16 MiB ring
    /// hold at least 0.64 s of backlog (more when the blocks fill), where 1 ms would hold 0.064 s.
    /// </summary>
    private static readonly TimeSpan ClientDatalinkBatchWindow = TimeSpan.FromMilliseconds(10);


    private readonly LiveCopyOptions _options;
    // Capture buffers hold up to 64 KiB (GRO); the engine copies ordinary packets out at once, so few are idle at a time.
    private readonly PacketBufferPool _pool = new(PacketBufferPool.DefaultBufferSize, maximumRetained: 256);
    private IPacketSender? _sender;
    private InterceptClient? _channel;
    private ICaptureSource? _capture;
    private CopyEngine? _engine;
    private SilentCaptureMonitor? _silenceMonitor;
    private OnlineAnswerCapture? _onlineAnswers;
    private int _stopped;

    public LiveCopy(LiveCopyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InterceptServers.Count == 0)
        {
            throw new ArgumentException("At least one intercept server is needed.", nameof(options));
        }

        _options = options;
    }

    public CopyEngine Engine => _engine ?? throw new InvalidOperationException("The copy has not started.");

    public CopyStatistics Statistics => Engine.Statistics;

    /// <summary>The capture layer in use, and why (Auto decides after its probe; until then Datalink while probing).</summary>
    public CaptureLayer CaptureLayer { get; private set; }

    public string? CaptureReason { get; private set; }

    public string? CaptureDescription => _capture?.Description;

    public CaptureSourceStatistics? CaptureStatistics => _capture?.Statistics;

    public IReadOnlyList<InterceptLinkStatus> InterceptLinks => _channel?.Links ?? [];

    public bool InterceptConnected => _channel?.IsConnected ?? false;

    public long InterceptReconnects => _channel?.Reconnects ?? 0;

    /// <summary>Notable events (capture decision, links up and down, silent capture), oldest first.</summary>
    public IReadOnlyList<RunEvent> Events => EventLog.Snapshot();

    public RunEventLog EventLog { get; } = new();

    /// <summary>A live copy runs until it is stopped: it never ends by itself.</summary>
    public event Action<RunEnd>? Ended
    {
        add { }
        remove { }
    }

    public ReplayProgress? Progress => null;

    public IReadOnlyList<CaptureFileProblem> FileProblems => [];

    /// <summary>Opens the sender, the intercept links, the capture and the engine; starts the engine, the links and the capture, in that order.</summary>
    /// <exception cref="CaptureException">The capture cannot be opened (privileges, libpcap, interface, filter).</exception>
    public void Start()
    {
        try
        {
            _sender = _options.SendMode == SendMode.Pcap ? new PcapSender(_options.Interface) : new RawIpSender();
            _channel = new InterceptClient(_options.InterceptServers, _options.Channel, this);
            _capture = OpenCapture();

            // The engine thread reads the intercept links and a raw-socket capture itself, between its events: one
            // thread wakes for what a capture thread, a thread per link and the engine each woke for (docs/architecture.md).
            _engine = new CopyEngine(_options.Copy, _sender, new InterceptChannelAdapter(_channel), CopyEngine.LiveClientQueueCapacity,
                (_capture as RawSocketCapture)?.ReadOnPollingThread(), _channel.ReceiveOnPollingThread(), ClientCaptureBatchWindow);
            _engine.Start();
            _channel.Start();
            _capture.Start(this);
            _silenceMonitor?.Start();
            StartOnlineAnswerCapture();
        }
        catch
        {
            Stop();
            throw;
        }
    }

    public int OpenConnections => _engine?.GetConnections().Count(c => c.IsOpen) ?? 0;

    public int? EngineProcessId => null;

    public IReadOnlyList<CopiedConnection> GetConnections() => _engine?.GetConnections() ?? [];

    public IReadOnlyList<RequestExchange> GetExchanges() => _engine?.GetExchanges() ?? [];

    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        // Capture first, so nothing new arrives; then the engine resets open copies while the sender still works. The
        // engine refuses packets first, so a capture thread waiting for room in its queue lets go at once.
        _engine?.RefuseNewPackets();
        _silenceMonitor?.Dispose();
        _capture?.Dispose();
        _onlineAnswers?.Dispose();
        _engine?.Stop(TimeSpan.FromSeconds(1));
        _channel?.Dispose();
        _sender?.Dispose();
    }

    public void Dispose() => Stop();

    void ICaptureSink.OnPacket(PacketBuffer buffer, LinkType linkType) => _engine!.PostClientPacket(buffer, linkType);

    void IResponseSink.OnResponse(ReadOnlySpan<byte> record, int interceptIndex) => _engine?.PostTargetPacket(record);

    void IResponsePayloadSink.OnResponse(ReadOnlySpan<byte> record, ReadOnlySpan<byte> payloadPrefix, long captureTimestampNanoseconds, int interceptIndex) =>
        _engine?.PostTargetPacket(record, payloadPrefix, captureTimestampNanoseconds);

    /// <summary>What the online answer capture reads, or why it is off; null when not asked for.</summary>
    public string? OnlineAnswerCaptureDescription { get; private set; }

    /// <summary>Response payload bytes the intercepts granted: -1 not asked or no answer yet (a C intercept never answers), 0 declined.</summary>
    public int ResponsePayloadGranted => _channel?.ResponsePayloadGranted ?? -1;

    /// <summary>
    /// Online versus target needs the online server's answers: a libpcap capture of the other direction. Without
    /// libpcap the copy runs on and says that the comparison has no online side.
    /// </summary>
    private void StartOnlineAnswerCapture()
    {
        if (!_options.CompareResponses)
        {
            return;
        }

        var ports = _options.Copy.Transfers.Select(t => t.OnlinePort).Distinct().ToArray();
        var onlineAddresses = _options.Copy.Transfers.Select(t => t.OnlineAddress).Distinct().ToArray();
        uint? onlineAddress = onlineAddresses.Length == 1 && onlineAddresses[0] != 0 ? onlineAddresses[0] : null;
        try
        {
            _onlineAnswers = new OnlineAnswerCapture(_engine!, _options.Interface, ports, onlineAddress);
            _onlineAnswers.Start();
            OnlineAnswerCaptureDescription = _onlineAnswers.Description;
            Raise(RunEventKind.Comparison, $"Comparing responses: online answers from {_onlineAnswers.Description}");
        }
        catch (CaptureException exception)
        {
            OnlineAnswerCaptureDescription = $"off: {exception.Message}";
            Raise(RunEventKind.Comparison, $"Comparing responses without the online side: the online answers cannot be captured ({exception.Message}).");
        }
    }

    void IResponseSink.OnLinkStateChanged(InterceptLinkStatus status) =>
        EventLog.AddLinkChange(status);

    /// <summary>
    /// Client capture: the copy's thread priority, and packets handed over in batches (raw-socket drains at most 1 ms
    /// late, libpcap blocks at most 10 ms late), for a fraction of the CPU per packet of one wake-up each. When the
    /// engine falls behind, the capture waits and the kernel's buffer holds the backlog (docs/benchmarks.md).
    /// </summary>
    internal CaptureOptions CaptureThreadOptions => new()
    {
        ThreadNice = _options.Copy.ThreadNice,
        KernelBufferBytes = _options.CaptureBufferBytes ?? CaptureOptions.Default.KernelBufferBytes,
        DatalinkBufferBytes = _options.CaptureBufferBytes ?? LiveCopyOptions.DefaultRingBytes,
        BatchWindow = ClientCaptureBatchWindow,
        DatalinkBatchWindow = ClientDatalinkBatchWindow,
    };

    private ICaptureSource OpenCapture()
    {
        var ports = _options.Copy.Transfers.Select(t => t.OnlinePort).Distinct().ToArray();
        var onlineAddresses = _options.Copy.Transfers.Select(t => t.OnlineAddress).Distinct().ToArray();
        uint? onlineAddress = onlineAddresses.Length == 1 && onlineAddresses[0] != 0 ? onlineAddresses[0] : null;
        switch (_options.CaptureMode)
        {
            case CaptureMode.RawSocket:
                CaptureLayer = CaptureLayer.IpLayer;
                CaptureReason = "RawSocket was asked for.";
                var raw = new RawSocketCapture(ports, _pool, onlineAddress, CaptureThreadOptions);
                WatchForSilence(raw, ports, onlineAddress);
                return raw;
            case CaptureMode.Pcap:
                CaptureLayer = CaptureLayer.Datalink;
                CaptureReason = "Pcap was asked for.";
                return new PcapCapture(_options.Interface, CaptureFilters.ForClientPorts(ports, onlineAddress), _pool, CaptureThreadOptions);
            default:
                var auto = new AutoCapture(_options.Interface, ports, _pool, onlineAddress, CaptureThreadOptions);
                CaptureLayer = CaptureLayer.Datalink;
                CaptureReason = "Auto: probing whether the IP layer sees the port's traffic; the datalink delivers meanwhile.";
                auto.Decided += decision =>
                {
                    CaptureLayer = decision.Layer;
                    CaptureReason = decision.Reason;
                    Raise(RunEventKind.Capture, $"Capture: {decision.Reason}");
                };
                return auto;
        }
    }

    /// <summary>
    /// RawSocket mode never stays silent: when the IP layer delivers nothing for the ports, a short look at the
    /// datalink tells whether the traffic is forwarded past it (DNAT) or simply absent, and says so.
    /// </summary>
    private void WatchForSilence(ICaptureSource raw, ushort[] ports, uint? onlineAddress)
    {
        if (!LibPcapProbe.Probe().IsAvailable)
        {
            return;
        }

        _silenceMonitor = new SilentCaptureMonitor(raw, _options.Interface, ports, onlineAddress);
        _silenceMonitor.WarningRaised += warning =>
        {
            CaptureReason = warning;
            Raise(RunEventKind.Capture, $"Capture: {warning}");
        };
        _silenceMonitor.WarningCleared += () =>
        {
            CaptureReason = "RawSocket was asked for; the IP layer captures the client packets (the earlier warning no longer holds).";
            Raise(RunEventKind.Capture, "Capture: client packets arrive at the IP layer now.");
        };
    }

    private void Raise(RunEventKind kind, string message) => EventLog.Add(kind, message);
}
