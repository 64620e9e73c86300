using System.Globalization;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// Writes a report as GitHub-flavoured Markdown for pasting into a ticket: the same sections as the HTML page, as
/// tables, without charts. Cell text has pipes, backslashes and markup characters escaped and line breaks flattened.
/// </summary>
public static class MarkdownReportWriter
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="writer"/>; the writer is not closed.</summary>
    public static void Write(ReplayReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine($"# {M(report.Title)}");
        writer.WriteLine();
        writer.WriteLine($"Generated {HtmlReportWriter.Time(report.GeneratedAt)}; {report.Runs.Count} run(s), {report.Connections.Count} connection record(s).");

        writer.WriteLine();
        writer.WriteLine("## Settings of the run");
        foreach (var run in report.Runs)
        {
            writer.WriteLine();
            writer.WriteLine($"### {M(run.Name)} ({M(run.State)}), started {HtmlReportWriter.Time(run.StartTime)}, {HtmlReportWriter.Duration(run.Duration)}");
            writer.WriteLine();
            Table(writer, ["Setting", "Value"], run.Settings.Select(s => new[] { s.Key, s.Value }));
            writer.WriteLine();
            Table(writer, ["Figure", "Value"], run.Figures.Select(f => new[] { f.Key, SvgChart.Number(f.Value) }));
        }

        if (report.Runs.Count == 0)
        {
            writer.WriteLine();
            writer.WriteLine("_Made from connection records only: no session settings._");
        }

        writer.WriteLine();
        writer.WriteLine("## Response times, online vs target (ms)");
        writer.WriteLine();
        Table(writer, ["Server", "Requests", "p50", "p90", "p99", "max"], new[] { ("Online", report.OnlineLatency), ("Target", report.TargetLatency) }
            .Select(l => l.Item2 is { } s
                ? new[] { l.Item1, s.Count.ToString(CultureInfo.InvariantCulture), Ms(s.P50), Ms(s.P90), Ms(s.P99), Ms(s.Max) }
                : [l.Item1, "not measured", "", "", "", ""]));
        if (report.LatencySource.Length > 0 && (report.OnlineLatency is not null || report.TargetLatency is not null))
        {
            writer.WriteLine();
            writer.WriteLine(M(report.LatencySource));
        }

        writer.WriteLine();
        writer.WriteLine("## Close reasons");
        writer.WriteLine();
        Table(writer, ["Close reason", "Connections"], report.CloseReasons.OrderByDescending(r => r.Value).Select(r => new[] { r.Key, SvgChart.Number(r.Value) }));

        writer.WriteLine();
        writer.WriteLine("## Mismatches, online vs target");
        writer.WriteLine();
        if (report.Comparison.Count == 0)
        {
            writer.WriteLine("_Not measured._");
        }
        else
        {
            Table(writer, ["Figure", "Count"], report.Comparison.Select(c => new[] { c.Key, SvgChart.Number(c.Value) }));
        }

        Connections(writer, "Slowest connections", report.Slowest);
        Connections(writer, $"Failed connections ({report.FailedCount})", report.Failed);
    }

    private static void Connections(TextWriter writer, string title, IReadOnlyList<ReportConnection> rows)
    {
        writer.WriteLine();
        writer.WriteLine($"## {M(title)}");
        writer.WriteLine();
        if (rows.Count == 0)
        {
            writer.WriteLine("_None._");
            return;
        }

        Table(writer, ["Client", "Fake client", "Start (UTC)", "Duration", "Requests", "Response bytes", "Close", "Detail"], rows.Select(c => new[]
        {
            c.Client, c.FakeClient, HtmlReportWriter.Time(c.StartTime), HtmlReportWriter.Duration(c.Duration),
            c.Requests.ToString(CultureInfo.InvariantCulture), c.ResponseBytes.ToString(CultureInfo.InvariantCulture),
            c.HandshakeFailure != "None" ? $"{c.CloseReason}/{c.HandshakeFailure}" : c.CloseReason, c.CloseDetail ?? "",
        }));
    }

    private static void Table(TextWriter writer, string[] headers, IEnumerable<string[]> rows)
    {
        writer.WriteLine($"| {string.Join(" | ", headers.Select(M))} |");
        writer.WriteLine($"|{string.Concat(Enumerable.Repeat(" --- |", headers.Length))}");
        foreach (var row in rows)
        {
            writer.WriteLine($"| {string.Join(" | ", row.Select(M))} |");
        }
    }

    /// <summary>Text that Markdown shows as written: table pipes, emphasis, code, links and HTML are escaped.</summary>
    public static string M(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r':
                    break;
                case '\n':
                    escaped.Append(' ');
                    break;
                case '\\' or '|' or '*' or '_' or '`' or '[' or ']' or '<' or '>' or '#':
                    escaped.Append('\\').Append(c);
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
