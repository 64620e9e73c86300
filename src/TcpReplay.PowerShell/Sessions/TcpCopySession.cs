using System.Collections.Specialized;
using System.Management.Automation;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Hosting;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Reports;
using TcpReplay.Engine.Sessions;

namespace TcpReplay.PowerShell.Sessions;

/// <summary>
/// A running or finished copy, as a PowerShell job: its figures are live while the copy runs, and Stop-Job,
/// Get-Job and Remove-Job work on it like on any job. A live copy runs until stopped; an offline replay (-Path)
/// completes by itself at the end of its capture files.
/// </summary>
public sealed partial class TcpCopySession : Job
{
    private readonly ILiveCopy? _copy;
    private readonly StatisticsSampler _sampler;
    private readonly Timer _sampleTimer;
    private DateTime? _endTime;

    internal TcpCopySession(ILiveCopy copy, string command, string? name, LiveCopyOptions options, IReadOnlyList<string> warnings)
        : base(command, name)
    {
        _copy = copy;
        PSJobTypeName = "TcpCopy";
        Transfers = [.. options.Copy.Transfers.Select(t => t.ToString())];
        InterceptServers = [.. options.InterceptServers.Select(s => s.ToString())];
        FakeClientNetworks = [.. options.Copy.FakeClientNetworks.Select(n => n.ToString())];
        Pacing = options.Copy.Pacing;
        CaptureMode = options.CaptureMode;
        SendMode = options.SendMode;
        Interface = options.Interface;
        StartTime = DateTime.UtcNow;
        Warnings = warnings;
        // The report's throughput chart: the counters about once a second, bounded (StatisticsSampler thins an old series).
        _sampler = new StatisticsSampler(copy.Statistics);
        _sampler.Sample(StartTime);
        _sampleTimer = new Timer(_ => _sampler.Sample(DateTime.UtcNow), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        CompareResponses = options.CompareResponses;
        ResponsePayload = options.Channel.ResponsePayloadBytes;
        if (copy is CopierProcess process)
        {
            process.Ended += OnEngineProcessEnded;
        }
    }

    /// <summary>The copier process that runs this copy's engine; null when it runs inside this PowerShell (-InProcess, offline replays).</summary>
    public int? EngineProcessId => _copy?.EngineProcessId;

    public string[] Transfers { get; }

    public string[] InterceptServers { get; }

    public string[] FakeClientNetworks { get; }

    public PacingMode Pacing { get; }

    public CaptureMode CaptureMode { get; }

    public SendMode SendMode { get; }

    public string Interface { get; }

    /// <summary>The layer the capture uses (Auto decides after its probe).</summary>
    public CaptureLayer CaptureLayer => _copy?.CaptureLayer ?? CaptureLayer.None;

    /// <summary>Why that layer: what the Auto probe measured, or that it was asked for.</summary>
    public string? CaptureReason => _copy is null ? "Offline replay: packets are read from capture files." : _copy.CaptureReason;

    /// <summary>What the capture reads: layer, interface, libpcap ring size (-CaptureBufferMiB) and filter.</summary>
    public string? CaptureDescription => _copy?.CaptureDescription;

    public DateTime StartTime { get; }

    public TimeSpan Duration => (_endTime ?? DateTime.UtcNow) - StartTime;

    public long ClientPackets => Statistics.ClientPacketsSeen;

    public long SentPackets => Statistics.ClientPacketsSent;

    public long Connections => Statistics.ConnectionsOpened;

    public int OpenConnections => _copy?.OpenConnections ?? _replay!.Engine.GetConnections().Count(c => c.IsOpen);

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

    public bool InterceptConnected => _copy?.InterceptConnected ?? _replay!.InterceptConnected;

    public long InterceptReconnects => _copy?.InterceptReconnects ?? _replay!.InterceptReconnects;

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
    /// failure, most frequent first, each with a count, an example client and the remedy from its close detail.
    /// </summary>
    public IReadOnlyList<FailureReason> FailureReasons => FailureReason.Summarize(GetConnections());

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The online server's answers are captured and compared with the target's (-CompareResponses).</summary>
    public bool CompareResponses { get; }

    /// <summary>Response payload bytes asked of the intercepts (-ResponsePayload); 0 = not asked.</summary>
    public int ResponsePayload { get; }

    /// <summary>Response payload bytes the intercepts granted: -1 not asked or no answer (a C intercept never answers), 0 declined.</summary>
    public int ResponsePayloadGranted => _copy?.ResponsePayloadGranted ?? -1;

    /// <summary>What the online answer capture reads, or why it is off; null without -CompareResponses.</summary>
    public string? OnlineAnswerCapture => _copy?.OnlineAnswerCaptureDescription;

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
    public IReadOnlyList<RequestExchange> GetExchanges() => _copy?.GetExchanges() ?? _replay!.Engine.GetExchanges();

    /// <summary>What happened, in words: the capture decision, intercept links up and down.</summary>
    public IReadOnlyList<string> Events => _copy?.Events ?? _replay!.Events;

    public CopyStatistics Statistics => _copy?.Statistics ?? _replay!.Statistics;

    /// <summary>Only a failed copier process leaves something to receive: its error.</summary>
    public override bool HasMoreData => Error.Count > 0;

    public override string Location => Environment.MachineName;

    public override string StatusMessage => _replay is null
        ? $"{Connections} connections, {Completed} completed, {Failed} failed, capture {CaptureLayer}"
        : $"{Connections} connections, {Completed} completed, {Failed} failed, replay {_replay.Phase}";

    internal IReadOnlyList<CopiedConnection> GetConnections() => _copy?.GetConnections() ?? _replay!.Engine.GetConnections();

    internal void MarkRunning()
    {
        SetJobState(JobState.Running);
        CompleteIfReplayEnded();
    }

    /// <summary>The counters sampled about once a second since the start (thinned on long runs), oldest first.</summary>
    public IReadOnlyList<ThroughputSample> GetSamples() => _sampler.Snapshot();

    public override void StopJob()
    {
        if (JobStateInfo.State is JobState.Stopped or JobState.Failed or JobState.Completed)
        {
            return;
        }

        SetJobState(JobState.Stopping);
        _copy?.Stop();
        _replay?.Stop();
        _endTime = DateTime.UtcNow;
        _sampleTimer.Dispose();
        _sampler.SampleFinal(_endTime.Value);
        SetJobState(JobState.Stopped);
    }

    /// <summary>A copier process that died (killed, out of memory) fails the job with the reason; its last figures stay.</summary>
    private void OnEngineProcessEnded(string reason)
    {
        if (JobStateInfo.State is JobState.Stopped or JobState.Failed or JobState.Completed)
        {
            return;
        }

        _endTime = DateTime.UtcNow;
        _sampleTimer.Dispose();
        _sampler.SampleFinal(_endTime.Value);
        Error.Add(new ErrorRecord(new InvalidOperationException(reason), "EngineProcessEnded", ErrorCategory.ResourceUnavailable, EngineProcessId)
        {
            ErrorDetails = new ErrorDetails(reason) { RecommendedAction = "Start the copy again; if the process was killed for memory, lower -MaxConnections." },
        });
        SetJobState(JobState.Failed);
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
