using System.Collections.Specialized;
using System.Management.Automation;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Reports;
using TcpReplay.Engine.Sessions;

namespace TcpReplay.PowerShell.Sessions;

/// <summary>
/// A running or finished copy, as a PowerShell job: its figures are live while the copy runs, and Stop-Job,
/// Get-Job and Remove-Job work on it like on any job.
/// </summary>
public sealed class TcpCopySession : Job
{
    private readonly LiveCopy _copy;
    private readonly StatisticsSampler _sampler;
    private readonly Timer _sampleTimer;
    private DateTime? _endTime;

    internal TcpCopySession(LiveCopy copy, string command, string? name, LiveCopyOptions options, IReadOnlyList<string> warnings)
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
    }

    public string[] Transfers { get; }

    public string[] InterceptServers { get; }

    public string[] FakeClientNetworks { get; }

    public PacingMode Pacing { get; }

    public CaptureMode CaptureMode { get; }

    public SendMode SendMode { get; }

    public string Interface { get; }

    /// <summary>The layer the capture uses (Auto decides after its probe).</summary>
    public CaptureLayer CaptureLayer => _copy.CaptureLayer;

    /// <summary>Why that layer: what the Auto probe measured, or that it was asked for.</summary>
    public string? CaptureReason => _copy.CaptureReason;

    public DateTime StartTime { get; }

    public TimeSpan Duration => (_endTime ?? DateTime.UtcNow) - StartTime;

    public long ClientPackets => Statistics.ClientPacketsSeen;

    public long SentPackets => Statistics.ClientPacketsSent;

    public long Connections => Statistics.ConnectionsOpened;

    public int OpenConnections => _copy.Engine.GetConnections().Count(c => c.IsOpen);

    /// <summary>Connections that ended normally: Completed, CopierReset (fast release), ClientReset.</summary>
    public long Completed => Statistics.Closed(CloseReason.Completed) + Statistics.Closed(CloseReason.CopierReset) + Statistics.Closed(CloseReason.ClientReset);

    /// <summary>Connections that ended otherwise; see <see cref="CloseReasons"/> and Get-TcpCopyConnection for why.</summary>
    public long Failed => Enum.GetValues<CloseReason>().Where(r => r is not (CloseReason.None or CloseReason.Completed or CloseReason.CopierReset or CloseReason.ClientReset))
        .Sum(Statistics.Closed);

    public long Responses => Statistics.ResponsesReceived;

    public long ResponseBytes => Statistics.ResponseBytes;

    public long BytesSent => Statistics.BytesSent;

    public long Retransmissions => Statistics.Retransmissions;

    public long CaptureGaps => Statistics.CaptureGaps;

    public double EstimatedCaptureLoss => Statistics.EstimatedCaptureLoss;

    public long SendErrors => Statistics.SendErrors;

    public bool InterceptConnected => _copy.InterceptConnected;

    public long InterceptReconnects => _copy.InterceptReconnects;

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
    public IReadOnlyList<FailureReason> FailureReasons => FailureReason.Summarize(_copy.Engine.GetConnections());

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>What happened, in words: the capture decision, intercept links up and down.</summary>
    public IReadOnlyList<string> Events => _copy.Events;

    public CopyStatistics Statistics => _copy.Statistics;

    public override bool HasMoreData => false;

    public override string Location => Environment.MachineName;

    public override string StatusMessage =>
        $"{Connections} connections, {Completed} completed, {Failed} failed, capture {CaptureLayer}";

    internal IReadOnlyList<CopiedConnection> GetConnections() => _copy.Engine.GetConnections();

    /// <summary>The counters sampled about once a second since the start (thinned on long runs), oldest first.</summary>
    public IReadOnlyList<ThroughputSample> GetSamples() => _sampler.Snapshot();

    internal void MarkRunning() => SetJobState(JobState.Running);

    public override void StopJob()
    {
        if (JobStateInfo.State is JobState.Stopped or JobState.Failed or JobState.Completed)
        {
            return;
        }

        SetJobState(JobState.Stopping);
        _copy.Stop();
        _endTime = DateTime.UtcNow;
        _sampleTimer.Dispose();
        _sampler.SampleFinal(_endTime.Value);
        SetJobState(JobState.Stopped);
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
