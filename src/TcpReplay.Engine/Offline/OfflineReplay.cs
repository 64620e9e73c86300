using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Runs;
using TcpReplay.Engine.Threading;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// Replays the client side of the connections in capture files to a target, through the copy engine, with the
/// target's answers coming back through the intercepts exactly as in a live copy (<see cref="LiveCopy"/>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Start"/> reads the files once to plan (selected connections, packets, timeline span; damaged files
/// are reported in <see cref="FileProblems"/> and replayed up to the damage), then a dedicated thread plays them:
/// each client packet is handed to the engine at its capture time × <see cref="OfflineReplayOptions.Speed"/>
/// (<see cref="ReplayTimeline"/>, waits by <see cref="PrecisionScheduler"/>), every play of
/// <see cref="OfflineReplayOptions.Loop"/> after the first with fresh client ports. When every packet is handed over
/// and the copies have ended (or the target has been silent for the drain time plus a second), the replay ends:
/// still-open copies, whose close the capture never held, are reset at the target (reason Stopped), and
/// <see cref="Ended"/> is raised.
/// </para>
/// <para>Captures are taken as they are except for checksums, which are recomputed: a capture taken on the sending
/// host holds partial checksums (offload), which the target would drop.</para>
/// </remarks>
public sealed partial class OfflineReplay : ICopyRun
{
    private readonly OfflineReplayOptions _options;
    private readonly TimeProvider _time;
    private readonly IWaitPrimitives? _waits;
    private readonly IPacketSender? _testSender;
    private readonly IInterceptChannel? _testChannel;
    // Packets larger than the engine's 2 KiB buffers (GRO captures); few, so a small pool.
    private readonly PacketBufferPool _largePool = new(PacketBufferPool.DefaultBufferSize, maximumRetained: 64);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CaptureFileProblem> _problems = [];
    private IPacketSender? _sender;
    private InterceptClient? _channel;
    private IInterceptChannel? _engineChannel;
    private CopyEngine? _engine;
    private BpfFilter? _filter;
    private Thread? _thread;
    private PrecisionScheduler? _scheduler;
    private ReplayTimeline? _timeline;
    private ReplayPlan? _plan;
    private volatile ReplayPhase _phase;
    private volatile int _loop;
    private int _stopped;
    private int _postedSinceWake;
    private HashSet<int> _enginesBefore = [];
    private HashSet<int> _linksBefore = [];

    public OfflineReplay(OfflineReplayOptions options)
        : this(options, null, null, null, null)
    {
    }

    /// <summary>The test seam: a sender and an intercept channel of the test's own, a clock and waits.</summary>
    internal OfflineReplay(OfflineReplayOptions options, IPacketSender? sender, IInterceptChannel? channel, TimeProvider? time, IWaitPrimitives? waits)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Files.Count == 0)
        {
            throw new ArgumentException("At least one capture file is needed.", nameof(options));
        }

        if (channel is null && options.InterceptServers.Count == 0)
        {
            throw new ArgumentException("At least one intercept server is needed.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.Loop, 1, nameof(options));
        _options = options;
        _testSender = sender;
        _testChannel = channel;
        _time = time ?? TimeProvider.System;
        _waits = waits;
    }

    public OfflineReplayOptions Options => _options;

    public CopyEngine Engine => _engine ?? throw new InvalidOperationException("The replay has not started.");

    public CopyStatistics Statistics => Engine.Statistics;

    public IReadOnlyList<InterceptLinkStatus> InterceptLinks => _channel?.Links ?? [];

    public bool InterceptConnected => _engineChannel?.IsConnected ?? false;

    public long InterceptReconnects => _channel?.Reconnects ?? 0;

    public ReplayPhase Phase => _phase;

    /// <summary>Files that could not be read to their end (the records before the damage are replayed).</summary>
    public IReadOnlyList<CaptureFileProblem> FileProblems => _problems;

    /// <summary>Notable events (plan, intercept, damage, end), oldest first.</summary>
    public IReadOnlyList<RunEvent> Events => EventLog.Snapshot();

    public RunEventLog EventLog { get; } = new();

    /// <summary>Raised once, on the replay thread, when the replay has ended by itself (not by <see cref="Stop"/>).</summary>
    public event Action<RunEnd>? Ended;

    /// <summary>A replay reads capture files: no capture layer.</summary>
    public CaptureLayer CaptureLayer => CaptureLayer.None;

    public string? CaptureReason => "Offline replay: packets are read from capture files.";

    public string? CaptureDescription => null;

    public CaptureSourceStatistics? CaptureStatistics => null;

    /// <summary>A replay asks the intercepts for no response payload.</summary>
    public int ResponsePayloadGranted => -1;

    public string? OnlineAnswerCaptureDescription => null;

    public int OpenConnections => _engine?.GetConnections().Count(c => c.IsOpen) ?? 0;

    public int? EngineProcessId => null;

    public IReadOnlyList<CopiedConnection> GetConnections() => _engine?.GetConnections() ?? [];

    public IReadOnlyList<RequestExchange> GetExchanges() => _engine?.GetExchanges() ?? [];

    /// <summary>A snapshot of the progress; totals are known once <see cref="Start"/> has planned.</summary>
    public ReplayProgress Progress
    {
        get
        {
            var plan = _plan;
            var loops = _options.Loop;
            var timeline = _timeline;
            var lateness = _scheduler?.Lateness;
            var done = _engine is { } engine ? ClosedCopies(engine.Statistics) : 0;
            return new ReplayProgress(
                _phase,
                TimeSpan.FromTicks((timeline?.OffsetDone ?? 0) / 100),
                TimeSpan.FromTicks((plan?.Span ?? 0) * loops / 100),
                (plan?.Connections ?? 0) * loops,
                timeline?.ConnectionsStarted ?? 0,
                done,
                (plan?.Packets ?? 0) * loops,
                timeline?.PacketsPosted ?? 0,
                Math.Max(1, _loop + 1),
                loops,
                TimeSpan.FromTicks((lateness?.Percentile(0.5) ?? 0) / 100),
                TimeSpan.FromTicks((lateness?.Percentile(0.99) ?? 0) / 100),
                TimeSpan.FromTicks((lateness?.Max ?? 0) / 100));
        }
    }

    /// <summary>Compiles the filter, plans the files, opens the sender, the intercept links and the engine, and starts the replay thread.</summary>
    /// <exception cref="ArgumentException">The BPF filter does not compile (the message is libpcap's).</exception>
    /// <exception cref="Capture.CaptureException">Pcap sending cannot open the interface.</exception>
    public void Start()
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("The replay has already started.");
        }

        try
        {
            if (_options.Filter is { Length: > 0 } expression)
            {
                _filter = BpfFilter.Create(expression, out var error)
                    ?? throw new ArgumentException($"The capture filter '{expression}' is not valid: {error}", nameof(_options.Filter));
            }

            _plan = Plan();
            Raise(_plan.Describe(_options));
            _scheduler = new PrecisionScheduler(_time, _waits);
            _sender = _testSender ?? NewSender();
            var synWatch = new SynWatchSender(_sender, _scheduler);
            if (_testChannel is null)
            {
                _channel = new InterceptClient(_options.InterceptServers, _options.Channel, new ResponseSink(this));
                _engineChannel = new InterceptChannelAdapter(_channel);
            }
            else
            {
                _engineChannel = _testChannel;
            }

            _engine = new CopyEngine(_options.Copy, synWatch, _engineChannel, _time);
            _enginesBefore = _options.RaisePriority && _waits is null ? ThreadNice.ThreadsNamed(EngineThreadName) : [];
            _linksBefore = _waits is null && _options.RaisePriority ? ThreadNice.ThreadsNamed(LinkThreadName) : [];
            _engine.Start();
            _channel?.Start();
            _timeline = new ReplayTimeline(_scheduler, _options.Speed, Post, synWatch);
            _thread = new Thread(Run) { IsBackground = true, Name = "TcpReplay offline replay" };
            _thread.Start();
        }
        catch
        {
            Stop();
            throw;
        }
    }

    /// <summary>
    /// The raw socket sends from a thread of its own at Max, where its kernel path (the target's receive included) is most
    /// of the engine's work and the engine has the next batch ready at once; at a finite speed the engine waits between
    /// packets anyway, and the timeline reads each SYN's send time, which a sending thread would blur.
    /// </summary>
    private IPacketSender NewSender()
    {
        if (_options.SendMode == SendMode.Pcap)
        {
            return new PcapSender(_options.Interface);
        }

        return _options.Speed.IsMax ? new ThreadedRawIpSender(_options.RaisePriority && _waits is null ? RaisedNice : 0) : new RawIpSender();
    }

    /// <summary>Stops the replay (the copies still open are reset at the target) within about 2 s.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _stop.Cancel();

        // The replay thread may be waiting for room in the engine's queue (at Max); refusing lets it go at once.
        _engine?.RefuseNewPackets();
        if (_thread is { } thread && thread != Thread.CurrentThread)
        {
            thread.Join(TimeSpan.FromSeconds(1));
        }

        if (_phase != ReplayPhase.Completed)
        {
            _phase = ReplayPhase.Stopped;
        }

        _engine?.Stop(TimeSpan.FromSeconds(1));
        _channel?.Dispose();
        _sender?.Dispose();
        _filter?.Dispose();
    }

    public void Dispose() => Stop();

    /// <summary>Waits for the replay to end by itself or be stopped; false on timeout.</summary>
    public bool Wait(TimeSpan timeout) => _thread?.Join(timeout) ?? true;

    internal static long ClosedCopies(CopyStatistics statistics)
    {
        long closed = 0;
        foreach (var reason in Enum.GetValues<CloseReason>())
        {
            if (reason != CloseReason.None)
            {
                closed += statistics.Closed(reason);
            }
        }

        return closed;
    }

    private void Raise(string message) => EventLog.Add(RunEventKind.Replay, message);

    private sealed class ResponseSink(OfflineReplay replay) : IResponseSink
    {
        public void OnResponse(ReadOnlySpan<byte> record, int interceptIndex) => replay._engine?.PostTargetPacket(record);

        public void OnLinkStateChanged(InterceptLinkStatus status) =>
            replay.EventLog.AddLinkChange(status);
    }
}
