using System.Globalization;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// Writes the report's connection records as CSV (RFC 4180: comma, CRLF, quotes doubled), one row per connection,
/// with a header. Times are ISO 8601 UTC; durations are milliseconds; extra figures get a column each.
/// </summary>
public static class CsvReportWriter
{
    private static readonly string[] Columns =
    [
        "Run", "Id", "Client", "FakeClient", "Target", "StartTime", "EndTime", "DurationMs", "HandshakeRttMs", "ClientPackets", "ClientBytes",
        "SentPackets", "SentBytes", "Requests", "ResponsePackets", "ResponseBytes", "Retransmissions", "CloseReason", "HandshakeFailure",
        "IsNormalClose", "CloseDetail",
    ];

    /// <summary>Writes <paramref name="report"/>'s connections to <paramref name="writer"/>; the writer is not closed.</summary>
    public static void Write(ReplayReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var extra = report.Connections.SelectMany(c => c.Extra.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        writer.Write(string.Join(',', Columns.Concat(extra).Select(Quote)));
        writer.Write("\r\n");
        foreach (var c in report.Connections)
        {
            string[] cells =
            [
                c.Run ?? "", N(c.Id), c.Client, c.FakeClient, c.Target, Iso(c.StartTime), c.EndTime is { } end ? Iso(end) : "",
                Ms(c.Duration), c.HandshakeRtt is { } rtt ? Ms(rtt) : "", N(c.ClientPackets), N(c.ClientBytes), N(c.SentPackets), N(c.SentBytes),
                N(c.Requests), N(c.ResponsePackets), N(c.ResponseBytes), N(c.Retransmissions), c.CloseReason, c.HandshakeFailure,
                c.IsNormalClose ? "True" : "False", c.CloseDetail ?? "",
            ];
            writer.Write(string.Join(',', cells.Concat(extra.Select(k => c.Extra.TryGetValue(k, out var v) ? v : "")).Select(Quote)));
            writer.Write("\r\n");
        }
    }

    /// <summary>A field quoted when it holds a comma, quote or line break, quotes doubled (RFC 4180 §2).</summary>
    public static string Quote(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }

    private static string Iso(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
