using System.Globalization;
using System.Net;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// Writes a report as one self-contained HTML page: inline CSS and inline SVG charts (<see cref="SvgChart"/>), no
/// script and no reference to anything outside the file, so it opens offline and in mail. All data text is escaped.
/// </summary>
public static class HtmlReportWriter
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1100px}
        h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:8px 0;font-size:13px}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .note{color:#666;font-style:italic}
        svg.chart{display:block;margin:8px 0;font-size:12px}svg .title{font-weight:bold;font-size:13px}
        """;

    /// <summary>Writes <paramref name="report"/> to <paramref name="writer"/>; the writer is not closed.</summary>
    public static void Write(ReplayReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine("<!DOCTYPE html>");
        writer.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        writer.WriteLine($"<title>{E(report.Title)}</title><style>{Style}</style></head><body>");
        writer.WriteLine($"<h1>{E(report.Title)}</h1>");
        writer.WriteLine($"<p>Generated {E(Time(report.GeneratedAt))}; {report.Runs.Count} run(s), {report.Connections.Count} connection record(s).</p>");

        WriteRuns(report, writer);
        WriteThroughput(report, writer);
        WriteLatency(report, writer);
        WriteCloseReasons(report, writer);
        WriteComparison(report, writer);
        WriteConnections(writer, "slowest", "Slowest connections", report.Slowest, "No connection records.");
        WriteConnections(writer, "failed", $"Failed connections ({report.FailedCount})", report.Failed, "No connection ended abnormally.");
        writer.WriteLine("</body></html>");
    }

    private static void WriteRuns(ReplayReport report, TextWriter writer)
    {
        writer.WriteLine("<h2 id=\"settings\">Settings of the run</h2>");
        if (report.Runs.Count == 0)
        {
            writer.WriteLine("<p class=\"note\">Made from connection records only: no session settings.</p>");
            return;
        }

        foreach (var run in report.Runs)
        {
            writer.WriteLine($"<h3>{E(run.Name)} ({E(run.State)}), started {E(Time(run.StartTime))}, {E(Duration(run.Duration))}</h3>");
            writer.WriteLine("<table class=\"settings\"><tr><th>Setting</th><th>Value</th></tr>");
            foreach (var (name, value) in run.Settings)
            {
                writer.WriteLine($"<tr><td>{E(name)}</td><td>{E(value)}</td></tr>");
            }

            writer.WriteLine("</table><table class=\"figures\"><tr><th>Figure</th><th>Value</th></tr>");
            foreach (var (name, value) in run.Figures)
            {
                writer.WriteLine($"<tr><td>{E(name)}</td><td class=\"n\">{E(SvgChart.Number(value))}</td></tr>");
            }

            writer.WriteLine("</table>");
        }
    }

    private static void WriteThroughput(ReplayReport report, TextWriter writer)
    {
        writer.WriteLine("<h2 id=\"throughput\">Throughput over time</h2>");
        var series = report.Throughput();
        if (series.Count == 0)
        {
            writer.WriteLine("<p class=\"note\">Not measured: no counter samples and no connection records.</p>");
            return;
        }

        var source = report.Runs.Any(r => r.Samples.Count >= 2) ? "the session's counters, sampled about once a second" : "the connection records, by start time";
        writer.WriteLine($"<p>From {E(source)}.</p>");
        writer.WriteLine(SvgChart.Line("chart-throughput", "Throughput", "seconds since start", "per second", series));
    }

    private static void WriteLatency(ReplayReport report, TextWriter writer)
    {
        writer.WriteLine("<h2 id=\"latency\">Response times, online vs target</h2>");
        var online = report.OnlineLatency;
        var target = report.TargetLatency;
        writer.WriteLine("<table class=\"latency\"><tr><th>Server</th><th>Requests</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>");
        foreach (var (name, summary) in new[] { ("Online", online), ("Target", target) })
        {
            writer.WriteLine(summary is null
                ? $"<tr><td>{name}</td><td colspan=\"5\" class=\"note\">not measured</td></tr>"
                : $"<tr><td>{name}</td><td class=\"n\">{summary.Count}</td><td class=\"n\">{Ms(summary.P50)}</td><td class=\"n\">{Ms(summary.P90)}</td><td class=\"n\">{Ms(summary.P99)}</td><td class=\"n\">{Ms(summary.Max)}</td></tr>");
        }

        writer.WriteLine("</table>");
        if (report.LatencySource.Length > 0 && (online is not null || target is not null))
        {
            writer.WriteLine($"<p>{E(report.LatencySource)}</p>");
        }

        var series = new List<RateSeries>();
        if (online is not null)
        {
            series.Add(SvgChart.Distribution("online", report.OnlineLatencyMs));
        }

        if (target is not null)
        {
            series.Add(SvgChart.Distribution("target", report.TargetLatencyMs));
        }

        if (series.Count > 0)
        {
            writer.WriteLine(SvgChart.Line("chart-latency", "Response time distribution", "milliseconds", "% of requests at or below", series));
        }
    }

    private static void WriteCloseReasons(ReplayReport report, TextWriter writer)
    {
        writer.WriteLine("<h2 id=\"close-reasons\">Close reasons</h2>");
        var reasons = report.CloseReasons;
        if (reasons.Count == 0)
        {
            writer.WriteLine("<p class=\"note\">No connection has ended.</p>");
            return;
        }

        writer.WriteLine(SvgChart.Bars("chart-close-reasons", "Connections by close reason",
            [.. reasons.OrderByDescending(r => r.Value).Select(r => new KeyValuePair<string, double>(r.Key, r.Value))]));
    }

    private static void WriteComparison(ReplayReport report, TextWriter writer)
    {
        writer.WriteLine("<h2 id=\"mismatches\">Mismatches, online vs target</h2>");
        if (report.Comparison.Count == 0)
        {
            writer.WriteLine("<p class=\"note\">Not measured: the records carry no online-vs-target comparison.</p>");
            return;
        }

        writer.WriteLine("<table class=\"comparison\"><tr><th>Figure</th><th>Count</th></tr>");
        foreach (var (name, value) in report.Comparison)
        {
            writer.WriteLine($"<tr><td>{E(name)}</td><td class=\"n\">{E(SvgChart.Number(value))}</td></tr>");
        }

        writer.WriteLine("</table>");
    }

    private static void WriteConnections(TextWriter writer, string id, string title, IReadOnlyList<ReportConnection> rows, string none)
    {
        writer.WriteLine($"<h2 id=\"{id}\">{E(title)}</h2>");
        if (rows.Count == 0)
        {
            writer.WriteLine($"<p class=\"note\">{E(none)}</p>");
            return;
        }

        writer.WriteLine($"<table class=\"connections\" id=\"table-{id}\"><tr><th>Client</th><th>Fake client</th><th>Start (UTC)</th><th>Duration</th><th>Requests</th><th>Response bytes</th><th>Close</th><th>Detail</th></tr>");
        foreach (var c in rows)
        {
            var close = c.HandshakeFailure != "None" ? $"{c.CloseReason}/{c.HandshakeFailure}" : c.CloseReason;
            writer.WriteLine($"<tr><td>{E(c.Client)}</td><td>{E(c.FakeClient)}</td><td>{E(Time(c.StartTime))}</td><td class=\"n\">{E(Duration(c.Duration))}</td>" +
                             $"<td class=\"n\">{c.Requests}</td><td class=\"n\">{c.ResponseBytes}</td><td>{E(close)}</td><td>{E(c.CloseDetail ?? "")}</td></tr>");
        }

        writer.WriteLine("</table>");
    }

    internal static string Time(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static string Duration(TimeSpan duration) =>
        duration.TotalSeconds >= 1 ? $"{duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s" : $"{duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms";

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
