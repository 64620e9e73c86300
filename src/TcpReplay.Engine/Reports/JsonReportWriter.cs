using System.Text.Json;
using System.Text.Json.Serialization;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// Writes the whole report model as indented JSON: runs (settings, figures, close reasons, counter samples), every
/// connection record, the latency samples and their percentiles. Times are ISO 8601 UTC, durations "d.hh:mm:ss.fffffff".
/// </summary>
public static class JsonReportWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // NaN cannot be JSON; a summary never holds one, but a figure read from an object might.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="report"/> to <paramref name="writer"/>; the writer is not closed.</summary>
    public static void Write(ReplayReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(JsonSerializer.Serialize(report, Options));
        writer.WriteLine();
    }
}
