using TcpReplay.Engine.Reports;

namespace TcpReplay.Engine.Tests.Reports;

public class ReportWriterTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static ReplayReport Report(params ReportConnection[] connections) => new()
    {
        Title = "Build <42> & co",
        GeneratedAt = Start.AddMinutes(5),
        Connections = connections,
    };

    private static ReportConnection Connection(long id, string close = "Completed", string? detail = null, double seconds = 1, long requests = 2) => new()
    {
        Id = id,
        Client = $"198.18.0.10:{40000 + id}",
        FakeClient = $"198.19.0.1:{40000 + id}",
        Target = "198.18.0.30:8080",
        StartTime = Start.AddSeconds(id),
        EndTime = Start.AddSeconds(id + seconds),
        Duration = TimeSpan.FromSeconds(seconds),
        Requests = requests,
        CloseReason = close,
        CloseDetail = detail,
    };

    private static string Render(ReplayReport report, ReportFormat format)
    {
        using var writer = new StringWriter();
        report.Write(format, writer);
        return writer.ToString();
    }

    [Fact]
    public void HtmlEscapesEveryTextThatComesFromData()
    {
        var html = Render(Report(Connection(1, "TargetReset", "<script>alert(1)</script> & \"quoted\"")), ReportFormat.Html);

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;", html, StringComparison.Ordinal);
        Assert.Contains("Build &lt;42&gt; &amp; co", html, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlFetchesNothingAndCarriesItsChartsInline()
    {
        var html = Render(Report(Connection(1), Connection(2, "TargetReset"), Connection(5)), ReportFormat.Html);

        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("id=\"chart-throughput\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"chart-close-reasons\"", html, StringComparison.Ordinal);
        Assert.Contains("<polyline class=\"series\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void LatencyIsNotMeasuredUntilTheRecordsCarryIt()
    {
        var without = Render(Report(Connection(1)), ReportFormat.Html);
        var report = Report(Connection(1));
        report.OnlineLatencyMs.Add(10);
        report.TargetLatencyMs.Add(30);
        var with = Render(report, ReportFormat.Html);

        Assert.Contains("not measured", without, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"chart-latency\"", without, StringComparison.Ordinal);
        Assert.Contains("id=\"chart-latency\"", with, StringComparison.Ordinal);
        Assert.Contains("data-series=\"online\"", with, StringComparison.Ordinal);
        Assert.Contains("data-series=\"target\"", with, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvQuotesCommasQuotesAndLineBreaksAndWritesOneRowPerConnection()
    {
        var csv = Render(Report(Connection(1, "Timeout", "no ack, \"late\"\nagain"), Connection(2)), ReportFormat.Csv);
        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, rows.Length);
        Assert.StartsWith("Run,Id,Client,", rows[0], StringComparison.Ordinal);
        Assert.Contains("\"no ack, \"\"late\"\"\nagain\"", csv, StringComparison.Ordinal);
        Assert.Contains("2026-01-01T12:00:01.0000000Z", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a|b", "a\\|b")]
    [InlineData("*bold* _x_", "\\*bold\\* \\_x\\_")]
    [InlineData("line\nbreak", "line break")]
    [InlineData("<b>", "\\<b\\>")]
    public void MarkdownShowsCellTextAsWritten(string text, string expected) => Assert.Equal(expected, MarkdownReportWriter.M(text));

    [Fact]
    public void MarkdownListsTheFailedConnectionsAndTheCloseReasons()
    {
        var markdown = Render(Report(Connection(1), Connection(2, "TargetReset", "reset by target")), ReportFormat.Markdown);

        Assert.Contains("## Failed connections (1)", markdown, StringComparison.Ordinal);
        Assert.Contains("| TargetReset | 1 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Online | not measured |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonCarriesEveryConnectionAndTheLatencySummary()
    {
        var report = Report(Connection(1), Connection(2));
        report.TargetLatencyMs.Add(5);
        var json = System.Text.Json.JsonDocument.Parse(Render(report, ReportFormat.Json));

        Assert.Equal(2, json.RootElement.GetProperty("Connections").GetArrayLength());
        Assert.Equal(5, json.RootElement.GetProperty("TargetLatency").GetProperty("P50").GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("OnlineLatency").ValueKind);
    }
}
