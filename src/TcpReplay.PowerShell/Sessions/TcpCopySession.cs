using System.Collections.Specialized;
using System.Management.Automation;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Hosting;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Reports;
using TcpReplay.Engine.Runs;

namespace TcpReplay.PowerShell.Sessions;

/// <summary>
/// A running or finished copy, as a PowerShell job: its figures are live while the copy runs, and Stop-Job,
/// Get-Job and Remove-Job work on it like on any job. A live copy runs until stopped; an offline replay (-Path)
/// completes by itself at the end of its capture files.
/// </summary>
public sealed class TcpCopySession : Job
{
    private readonly ICopyRun _run;
    private readonly StatisticsSampler _sampler;
    private readonly Timer _sampleTimer;
    private readonly Lock _endLock = new();
    private bool _ending;
    private DateTime? _endTime;

    internal TcpCopySession(ICopyRun run, string command, string? name, SessionSettings settings, IReadOnlyList<string> warnings)
        : base(command, name)
    {
        _run = run;
        PSJobTypeName = "TcpCopy";
        Transfers = settings.Transfers;
        InterceptServers = settings.InterceptServers;
        FakeClientNetworks = settings.FakeClientNetworks;
        Pacing = settings.Pacing;
        CaptureMode = settings.CaptureMode;
        SendMode = settings.SendMode;
        Interface = settings.Interface;
        CompareResponses = settings.CompareResponses;
        ResponsePayload = settings.ResponsePayload;
        Path = settings.Path;
        Speed = settings.Speed;
        Loop = settings.Loop;
        Filter = settings.Filter;
        From = settings.From;
        To = settings.To;
        StartTime = DateTime.UtcNow;
        Warnings = warnings;
        // The report's throughput chart: the counters about once a second, bounded (StatisticsSampler thins an old series).
        _sampler = new StatisticsSampler(run.Statistics);
        _sampler.Sample(StartTime);
        _sampleTimer = new Timer(_ => _sampler.Sample(DateTime.UtcNow), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        run.Ended += OnRunEnded;
    }

    /// <summary>The copier process that runs this copy's engine; null when it runs inside this PowerShell (-InProcess, offline replays).</summary>
    public int? EngineProcessId => _run.EngineProcessId;

    public string[] Transfers { get; }

    public string[] InterceptServers { get; }

    public string[] FakeClientNetworks { get; }

    public PacingMode Pacing { get; }

    public CaptureMode CaptureMode { get; }

    public SendMode SendMode { get; }

    public string Interface { get; }

    /// <summary>The layer the capture uses (Auto decides after its probe).</summary>
    public CaptureLayer CaptureLayer => _run.CaptureLayer;

    /// <summary>Why that layer: what the Auto probe measured, or that it was asked for.</summary>
    public string? CaptureReason => _run.CaptureReason;

    /// <summary>What the capture reads: layer, interface, libpcap ring size (-CaptureBufferMiB) and filter.</summary>
    public string? CaptureDescription => _run.CaptureDescription;

    public DateTime StartTime { get; }

    public TimeSpan Duration => (_endTime ?? DateTime.UtcNow) - StartTime;

    public long ClientPackets => Statistics.ClientPacketsSeen;

    public long SentPackets => Statistics.ClientPacketsSent;

    public long Connections => Statistics.ConnectionsOpened;

    public int OpenConnections => _run.OpenConnections;

    /// <summary>Connections that ended normally: Completed, CopierReset (fast release), ClientReset.</summary>
    public long Completed => Enum.GetValues<CloseReason>().Where(CloseReasonKinds.IsNormal).Sum(Statistics.Closed);

    /// <summary>
    /// Connections that ended abnormally; see <see cref="CloseReasons"/>, FailureReasons and Get-TcpCopyConnection for
    /// why. Connections reset because the copy was stopped (Stopped) are neither completed nor failed.
    /// </summary>
    public long Failed => Enum.GetValues<CloseReason>().Where(CloseReasonKinds.IsFailure).Sum(Statistics.Closed);

    public long Responses => Statistics.ResponsesReceived;

    public long ResponseBytes => Statistics.ResponseBytes;

    public long BytesSent => Statistics.BytesSent;

    public long Retransmissions => Statistics.Retransmissions;

    public long CaptureGaps => Statistics.CaptureGaps;

    public double EstimatedCaptureLoss => Statistics.EstimatedCaptureLoss;

    public long SendErrors => Statistics.SendErrors;

    /// <summary>
    /// How long the capture (or the replay) waited because the engine had fallen behind; the kernel's capture buffer
    /// held the backlog meanwhile, so a figure here means copies ran late, not that packets were lost.
    /// </summary>
    public TimeSpan BacklogWaitTime => Statistics.BacklogWaitTime;

    /// <summary>Connections whose close (the client's FIN) was held until the target had finished answering.</summary>
    public long ClosesHeld => Statistics.ClosesHeld;

    /// <summary>The longest of those holds, from the client's FIN captured to the FIN sent to the target.</summary>
    public TimeSpan CloseHeldMax => Statistics.CloseHeldMax;

    /// <summary>The mean hold of the held closes (zero when none was held).</summary>
    public TimeSpan CloseHeldAverage => Statistics.ClosesHeld == 0 ? TimeSpan.Zero : Statistics.CloseHeldTime / Statistics.ClosesHeld;

    /// <summary>
    /// Causal pacing: client segments the client sent because of an answer, held until the target had given its own
    /// (holds of 1 ms or more).
    /// </summary>
    public long AnswerHolds => Statistics.AnswerHolds;

    /// <summary>The longest of those holds.</summary>
    public TimeSpan AnswerHeldMax => Statistics.AnswerHeldMax;

    /// <summary>The mean of those holds (zero when none was held).</summary>
    public TimeSpan AnswerHeldAverage => Statistics.AnswerHolds == 0 ? TimeSpan.Zero : Statistics.AnswerHeldTime / Statistics.AnswerHolds;

    /// <summary>
    /// Held segments that went without the target's answer when the response wait timeout ran out: a stalled copy (the
    /// target answers differently) rather than a slow target (long holds, no timeouts).
    /// </summary>
    public long AnswerWaitTimeouts => Statistics.AnswerWaitTimeouts;

    public bool InterceptConnected => _run.InterceptConnected;

    public long InterceptReconnects => _run.InterceptReconnects;

    /// <summary>Ended connections counted by reason, normal and not (only reasons that occurred).</summary>
    public OrderedDictionary CloseReasons
    {
        get
        {
            var result = new OrderedDictionary();
            foreach (var reason in Enum.GetValues<CloseReason>())
            {
                var count = reason == CloseReason.None ? 0 : Statistics.Closed(reason);
                if (count > 0)
                {
                    result[reason.ToString()] = count;
                }
            }

            return result;
        }
    }

    /// <summary>
    /// <see cref="CloseReasons"/> as one line, <c>Reason=count</c> separated by spaces (for example
    /// <c>Completed=190 TargetReset=2</c>): the form that survives Export-Csv and remoting whole.
    /// </summary>
    public string CloseReasonSummary =>
        string.Join(' ', CloseReasons.Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}"));

    /// <summary>
    /// Why connections failed, while the copy runs: ended-abnormally connections grouped by close reason and handshake
    /// failure, most frequent first, each with a count, an example client and the remedy from its close detail (kept
    /// as connections end, so reading it moves no records).
    /// </summary>
    public IReadOnlyList<FailureReason> FailureReasons => Statistics.FailureReasons;

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The online server's answers are captured and compared with the target's (-CompareResponses).</summary>
    public bool CompareResponses { get; }

    /// <summary>Response payload bytes asked of the intercepts (-ResponsePayload); 0 = not asked.</summary>
    public int ResponsePayload { get; }

    /// <summary>Response payload bytes the intercepts granted: -1 not asked or no answer (a C intercept never answers), 0 declined.</summary>
    public int ResponsePayloadGranted => _run.ResponsePayloadGranted;

    /// <summary>What the online answer capture reads, or why it is off; null without -CompareResponses.</summary>
    public string? OnlineAnswerCapture => _run.OnlineAnswerCaptureDescription;

    /// <summary>Online response time percentiles (request to first answer byte, both on the online host); null without samples.</summary>
    public TimeSpan? OnlineResponseTimeP50 => Statistics.OnlineResponseTimeP50;

    public TimeSpan? OnlineResponseTimeP90 => Statistics.OnlineResponseTimeP90;

    public TimeSpan? OnlineResponseTimeP99 => Statistics.OnlineResponseTimeP99;

    public TimeSpan? OnlineResponseTimeMax => Statistics.OnlineResponseTimeMax;

    /// <summary>Target response time percentiles (request sent to first answer byte; see CopiedConnection.TargetResponseTimeAverage).</summary>
    public TimeSpan? TargetResponseTimeP50 => Statistics.TargetResponseTimeP50;

    public TimeSpan? TargetResponseTimeP90 => Statistics.TargetResponseTimeP90;

    public TimeSpan? TargetResponseTimeP99 => Statistics.TargetResponseTimeP99;

    public TimeSpan? TargetResponseTimeMax => Statistics.TargetResponseTimeMax;

    /// <summary>Requests with both an online and a target response time.</summary>
    public long ExchangesCompared => Statistics.ExchangesCompared;

    /// <summary>Requests whose online and target HTTP status codes differed (of <see cref="StatusCodesCompared"/>).</summary>
    public long StatusMismatches => Statistics.StatusMismatches;

    public long StatusCodesCompared => Statistics.StatusCodesCompared;

    /// <summary>Requests whose online and target answers differed in payload bytes (of <see cref="SizesCompared"/>).</summary>
    public long SizeMismatches => Statistics.SizeMismatches;

    public long SizesCompared => Statistics.SizesCompared;

    /// <summary>Connections that sent the target requests and got not one payload byte back.</summary>
    public long TargetSilentConnections => Statistics.TargetSilentConnections;

    /// <summary>The last finished request/answer exchanges (online and target times, sizes, status codes), oldest first.</summary>
    public IReadOnlyList<RequestExchange> GetExchanges() => _run.GetExchanges();

    /// <summary>What happened, each with its time and kind: the capture decision, intercept links up and down, a replay's plan and end.</summary>
    public IReadOnlyList<RunEvent> Events => _run.Events;

    public CopyStatistics Statistics => _run.Statistics;

    /// <summary>The capture files an offline replay plays, in order; null for a live copy.</summary>
    public string[]? Path { get; }

    /// <summary>The offline replay's speed (a factor, or Max); null for a live copy.</summary>
    public ReplaySpeed? Speed { get; }

    /// <summary>How many times the capture is played (each play after the first with fresh client ports).</summary>
    public int? Loop { get; }

    /// <summary>The BPF filter selecting connections by their first client packet.</summary>
    public string? Filter { get; }

    public CaptureTimeBound? From { get; }

    public CaptureTimeBound? To { get; }

    /// <summary>
    /// An offline replay's progress: capture time played of the total, connections started and ended of the total,
    /// packets, and how late hand-overs were behind the timeline (p50, p99, max); null for a live copy.
    /// </summary>
    public ReplayProgress? ReplayProgress => _run.Progress;

    /// <summary>Capture files that were damaged (replayed up to the damage, whose offset is given) or unreadable.</summary>
    public IReadOnlyList<CaptureFileProblem> FileProblems => _run.FileProblems;

    /// <summary>Only a failed copier process leaves something to receive: its error.</summary>
    public override bool HasMoreData => Error.Count > 0;

    public override string Location => Environment.MachineName;

    public override string StatusMessage =>
        $"{Connections} connections, {Completed} completed, {Failed} failed, " + (_run.Progress is { } progress ? $"replay {progress.Phase}" : $"capture {CaptureLayer}");

    internal IReadOnlyList<CopiedConnection> GetConnections() => _run.GetConnections();

    /// <summary>Shows the started run as running; one that ended meanwhile (a short replay) ends the job at once.</summary>
    internal void MarkRunning()
    {
        lock (_endLock)
        {
            if (!_ending)
            {
                SetJobState(JobState.Running);
            }
        }

        if (_run.Progress?.Phase == ReplayPhase.Completed)
        {
            End(JobState.Completed, null);
        }
    }

    /// <summary>The counters sampled about once a second since the start (thinned on long runs), oldest first.</summary>
    public IReadOnlyList<ThroughputSample> GetSamples() => _sampler.Snapshot();

    public override void StopJob() => StopJob(CancellationToken.None);

    /// <summary>Stops the run; <paramref name="cancellationToken"/> (Ctrl+C on Stop-TcpCopy) cuts short a copier process's final report.</summary>
    internal void StopJob(CancellationToken cancellationToken)
    {
        lock (_endLock)
        {
            if (_ending)
            {
                return;
            }

            _ending = true;
            SetJobState(JobState.Stopping);
        }

        try
        {
            if (_run is CopierProcess process)
            {
                process.Stop(cancellationToken);
            }
            else
            {
                _run.Stop();
            }
        }
        finally
        {
            Finish(JobState.Stopped, null);
        }
    }

    /// <summary>A replay that played its files completes the job; a copier process that died fails it with the reason (its last figures stay).</summary>
    private void OnRunEnded(RunEnd end)
    {
        if (end.Kind == RunEndKind.Completed)
        {
            End(JobState.Completed, null);
            return;
        }

        End(JobState.Failed, new ErrorRecord(new InvalidOperationException(end.Reason), "EngineProcessEnded", ErrorCategory.ResourceUnavailable, EngineProcessId)
        {
            ErrorDetails = new ErrorDetails(end.Reason) { RecommendedAction = "Start the copy again; if the process was killed for memory, lower -MaxConnections." },
        });
    }

    /// <summary>
    /// The run ended by itself: the job takes its final state once, unless a stop came first. A completed replay is
    /// stopped first, so its intercept links and copier process go and its final records are kept before the job says
    /// Completed.
    /// </summary>
    private void End(JobState state, ErrorRecord? error)
    {
        lock (_endLock)
        {
            if (_ending || JobStateInfo.State != JobState.Running)
            {
                return;
            }

            _ending = true;
        }

        if (state == JobState.Completed)
        {
            _run.Stop();
        }

        Finish(state, error);
    }

    /// <summary>The one end of every job: the last sample, the error if any, the final state.</summary>
    private void Finish(JobState state, ErrorRecord? error)
    {
        _endTime = DateTime.UtcNow;
        _sampleTimer.Dispose();
        _sampler.SampleFinal(_endTime.Value);
        if (error is not null)
        {
            Error.Add(error);
        }

        SetJobState(state);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopJob();
        }

        base.Dispose(disposing);
    }
}
