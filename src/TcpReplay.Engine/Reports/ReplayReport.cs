using System.Text.Json.Serialization;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// What a report shows: the runs (sessions) with their settings and figures, the connection records, and, when the
/// copy measured them, online and target response times. The writers (<see cref="HtmlReportWriter"/>,
/// <see cref="MarkdownReportWriter"/>, <see cref="CsvReportWriter"/>, <see cref="JsonReportWriter"/>) only render it.
/// </summary>
public sealed class ReplayReport
{
    /// <summary>Most rows in the slowest and the failed connection tables.</summary>
    public const int TableRows = 20;

    public string Title { get; init; } = "TcpReplay report";

    /// <summary>UTC.</summary>
    public DateTime GeneratedAt { get; init; } = DateTime.UtcNow;

    public IList<ReportRun> Runs { get; init; } = [];

    public IList<ReportConnection> Connections { get; init; } = [];

    /// <summary>Online server response times of copied requests, milliseconds; empty when not measured.</summary>
    public IList<double> OnlineLatencyMs { get; init; } = [];

    /// <summary>Target response times of copied requests, milliseconds; empty when not measured.</summary>
    public IList<double> TargetLatencyMs { get; init; } = [];

    /// <summary>Online-vs-target comparison counts (status code mismatches, size mismatches, ...) by name; empty when not measured.</summary>
    public IDictionary<string, double> Comparison { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// The online percentiles as the copy measured them (from its histogram over every request), when it did; otherwise
    /// <see cref="OnlineLatency"/> is computed from <see cref="OnlineLatencyMs"/>.
    /// </summary>
    public LatencySummary? OnlineLatencyMeasured { get; set; }

    /// <summary>The target percentiles as the copy measured them; see <see cref="OnlineLatencyMeasured"/>.</summary>
    public LatencySummary? TargetLatencyMeasured { get; set; }

    public LatencySummary? OnlineLatency => OnlineLatencyMeasured ?? LatencySummary.From([.. OnlineLatencyMs]);

    public LatencySummary? TargetLatency => TargetLatencyMeasured ?? LatencySummary.From([.. TargetLatencyMs]);

    /// <summary>What the latency samples are: per request (the copy's histograms) or per connection (the records' means).</summary>
    public string LatencySource { get; set; } = "";

    /// <summary>Ended connections by close reason: the runs' counts when there are runs, otherwise counted from the records.</summary>
    public IReadOnlyDictionary<string, long> CloseReasons
    {
        get
        {
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            if (Runs.Count > 0)
            {
                foreach (var (reason, count) in Runs.SelectMany(r => r.CloseReasons))
                {
                    counts[reason] = counts.GetValueOrDefault(reason) + count;
                }
            }
            else
            {
                foreach (var connection in Connections.Where(c => !c.IsOpen))
                {
                    counts[connection.CloseReason] = counts.GetValueOrDefault(connection.CloseReason) + 1;
                }
            }

            return counts;
        }
    }

    /// <summary>The longest connections, longest first.</summary>
    [JsonIgnore]
    public IReadOnlyList<ReportConnection> Slowest => [.. Connections.OrderByDescending(c => c.Duration).ThenBy(c => c.Id).Take(TableRows)];

    /// <summary>Connections that ended abnormally, most recent first.</summary>
    [JsonIgnore]
    public IReadOnlyList<ReportConnection> Failed => [.. Connections.Where(c => c.IsFailed).OrderByDescending(c => c.EndTime ?? c.StartTime).Take(TableRows)];

    /// <summary>How many connections ended abnormally (the <see cref="Failed"/> table shows at most <see cref="TableRows"/>).</summary>
    public long FailedCount => Connections.LongCount(c => c.IsFailed);

    /// <summary>Writes the report in <paramref name="format"/> to <paramref name="writer"/>; the writer is not closed.</summary>
    public void Write(ReportFormat format, TextWriter writer)
    {
        switch (format)
        {
            case ReportFormat.Html:
                HtmlReportWriter.Write(this, writer);
                break;
            case ReportFormat.Json:
                JsonReportWriter.Write(this, writer);
                break;
            case ReportFormat.Csv:
                CsvReportWriter.Write(this, writer);
                break;
            case ReportFormat.Markdown:
                MarkdownReportWriter.Write(this, writer);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Not a report format.");
        }
    }

    /// <summary>
    /// Rates over time for the throughput chart: from the runs' counter samples when they have them (client packets,
    /// sent packets and new connections per second), otherwise from the connection records (new connections and their
    /// requests per second, by start time).
    /// </summary>
    public IReadOnlyList<RateSeries> Throughput()
    {
        var fromSamples = new List<RateSeries>();
        foreach (var run in Runs.Where(r => r.Samples.Count >= 2))
        {
            var prefix = Runs.Count > 1 ? $"{run.Name}: " : "";
            var origin = run.Samples[0].Time;
            fromSamples.Add(RateSeries.FromSamples(prefix + "client packets/s", run.Samples, origin, s => s.ClientPackets));
            fromSamples.Add(RateSeries.FromSamples(prefix + "sent packets/s", run.Samples, origin, s => s.SentPackets));
            fromSamples.Add(RateSeries.FromSamples(prefix + "connections/s", run.Samples, origin, s => s.Connections));
        }

        if (fromSamples.Count > 0 || Connections.Count == 0)
        {
            return fromSamples;
        }

        return RateSeries.FromConnections(Connections);
    }
}
