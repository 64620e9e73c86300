using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Reports;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Reports;

/// <summary>
/// Turns what Export-ReplayReport receives into a <see cref="ReplayReport"/>: live sessions and connection records,
/// and their deserialized (remoting, Import-Clixml) or imported (Import-Csv, ConvertFrom-Json) forms, read by property
/// name. Figures the engine gains later (online-vs-target latencies, mismatch counts) are picked up by name pattern,
/// so the report shows them without a change here, and says "not measured" while they are absent.
/// </summary>
internal sealed partial class ReportBuilder
{
    private static readonly string[] SettingNames =
        ["Transfers", "InterceptServers", "FakeClientNetworks", "Pacing", "CaptureMode", "CaptureLayer", "CaptureReason", "SendMode", "Interface", "Warnings"];

    /// <summary>Properties of a session that are neither settings nor figures of the run.</summary>
    private static readonly HashSet<string> NotFigures = new(StringComparer.OrdinalIgnoreCase) { "Id" };

    /// <summary>Properties of a connection that <see cref="ReportConnection"/> holds in its own fields, or that repeat them.</summary>
    private static readonly HashSet<string> ConnectionFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "Run", "Id", "Client", "FakeClient", "Target", "StartTime", "EndTime", "Duration", "DurationMs", "HandshakeRtt", "HandshakeRttMs",
        "ClientPackets", "ClientBytes", "SentPackets", "SentBytes", "Requests", "ResponsePackets", "ResponseBytes", "Retransmissions",
        "CloseReason", "HandshakeFailure", "CloseDetail", "IsOpen", "IsNormalClose", "IsFailed", "ClientAddress", "ClientPort",
        "OnlineAddress", "OnlinePort", "FakeClientAddress", "FakeClientPort", "TargetAddress", "TargetPort",
    };

    private readonly List<ReportRun> _runs = [];
    private readonly List<ReportConnection> _connections = [];
    private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);
    private readonly List<double> _online = [];
    private readonly List<double> _target = [];
    private readonly List<double> _onlineQuantiles = [];
    private readonly List<double> _targetQuantiles = [];
    private readonly Dictionary<string, double> _runComparison = [];
    private readonly Dictionary<string, double> _connectionComparison = [];
    private readonly DateTime _now;
    private LatencySummary? _onlineMeasured;
    private LatencySummary? _targetMeasured;

    internal ReportBuilder(DateTime nowUtc) => _now = nowUtc;

    internal bool IsEmpty => _runs.Count == 0 && _connections.Count == 0;

    /// <summary>Adds a session or a connection record; false when <paramref name="input"/> is neither.</summary>
    internal bool TryAdd(PSObject input)
    {
        switch (input.BaseObject)
        {
            case TcpCopySession session:
                AddSession(session);
                return true;
            case CopiedConnection connection:
                AddConnection(connection, null);
                return true;
        }

        if (LooksLikeSession(input))
        {
            AddSessionRecord(input);
            return true;
        }

        if (input.Properties["Client"] is not null && input.Properties["CloseReason"] is not null)
        {
            AddConnectionRecord(input);
            return true;
        }

        return false;
    }

    internal ReplayReport Build(string title) => new()
    {
        Title = title,
        GeneratedAt = _now,
        Runs = _runs,
        Connections = [.. _connections.OrderBy(c => c.StartTime).ThenBy(c => c.Id)],
        // The copy's histograms cover every request; the records' per-connection means are the fallback.
        OnlineLatencyMs = _onlineMeasured is not null || _targetMeasured is not null ? _onlineQuantiles : _online,
        TargetLatencyMs = _onlineMeasured is not null || _targetMeasured is not null ? _targetQuantiles : _target,
        OnlineLatencyMeasured = _onlineMeasured,
        TargetLatencyMeasured = _targetMeasured,
        LatencySource = _onlineMeasured is not null || _targetMeasured is not null
            ? "Per request, from the copy's response time histograms (percentiles within about 3 %)."
            : _online.Count + _target.Count > 0 ? "Per connection: each connection's mean response time, from the records." : "",
        // A session's totals cover its connections: counting both would double them.
        Comparison = _runComparison.Count > 0 ? _runComparison : _connectionComparison,
    };

    private static bool LooksLikeSession(PSObject input) =>
        input.TypeNames.Any(t => t.EndsWith("TcpReplay.PowerShell.Sessions.TcpCopySession", StringComparison.Ordinal)) ||
        (input.Properties["Transfers"] is not null && input.Properties["Connections"] is not null && input.Properties["ClientPackets"] is not null);

    private void AddSession(TcpCopySession session)
    {
        if (!_seen.Add(session))
        {
            return;
        }

        var run = ReadRun(PSObject.AsPSObject(session), session.JobStateInfo.State.ToString(), [.. session.GetSamples()]);
        _runs.Add(run);
        foreach (var connection in session.GetConnections())
        {
            AddConnection(connection, run.Name);
        }
    }

    private void AddSessionRecord(PSObject input)
    {
        var state = Text(Value(input, "State")) ?? Text(Value(input, "JobStateInfo")) ?? "";
        _runs.Add(ReadRun(input, state, []));
    }

    private ReportRun ReadRun(PSObject session, string state, List<ThroughputSample> samples)
    {
        var settings = new Dictionary<string, string>();
        foreach (var setting in SettingNames)
        {
            if (Text(Value(session, setting)) is { Length: > 0 } text)
            {
                settings[setting] = text;
            }
        }

        var figures = new Dictionary<string, double>();
        foreach (var property in session.Properties)
        {
            if (NotFigures.Contains(property.Name) || SettingNames.Contains(property.Name))
            {
                continue;
            }

            object? value;
            try
            {
                value = Unwrap(property.Value);
            }
            catch (GetValueException)
            {
                // A Job property that throws once the job is gone (for example a disposed wait handle): not a figure.
                continue;
            }

            if (Number(value) is { } number && value is not bool)
            {
                figures[property.Name] = number;
                if (IsComparison(property.Name))
                {
                    _runComparison[property.Name] = _runComparison.GetValueOrDefault(property.Name) + number;
                }
            }
        }

        // The copy's own figures live on Statistics too (histograms, comparison counts); the session's own win on a tie.
        if (Value(session, "Statistics") is { } statistics and not string)
        {
            var inner = PSObject.AsPSObject(statistics);
            foreach (var property in inner.Properties)
            {
                object? value;
                try
                {
                    value = property.Value;
                }
                catch (GetValueException)
                {
                    continue;
                }

                ReadHistogram(property.Name, value);
                if (IsComparison(property.Name) && !figures.ContainsKey(property.Name) && Number(Unwrap(value)) is { } count)
                {
                    _runComparison[property.Name] = _runComparison.GetValueOrDefault(property.Name) + count;
                }
            }
        }

        var name = Text(Value(session, "Name")) ?? $"run {_runs.Count + 1}";
        return new ReportRun
        {
            Name = name,
            State = state,
            StartTime = Date(Value(session, "StartTime")) ?? default,
            Duration = Span(Value(session, "Duration")) ?? TimeSpan.Zero,
            Settings = settings,
            Figures = figures,
            CloseReasons = ParseCloseReasons(Text(Value(session, "CloseReasonSummary"))),
            Samples = samples,
        };
    }

    /// <summary>
    /// A latency histogram of the copy (an object with Count and Percentile(double) giving a TimeSpan): its
    /// percentiles, and 1..100 % quantiles for the distribution chart. Several runs' histograms cannot be merged from
    /// percentiles, so with more than one the first measured is shown and the runs' samples are pooled for the chart.
    /// </summary>
    private void ReadHistogram(string name, object? value)
    {
        var match = HistogramName().Match(name);
        if (!match.Success || value is null or string)
        {
            return;
        }

        var histogram = PSObject.AsPSObject(value);
        var percentile = histogram.Methods["Percentile"];
        if (percentile is null || Number(Unwrap(histogram.Properties["Count"]?.Value)) is not { } count || count == 0)
        {
            return;
        }

        double? At(double p) => Span(Unwrap(percentile.Invoke(p)))?.TotalMilliseconds;
        var quantiles = new List<double>();
        for (var p = 1; p <= 100; p++)
        {
            if (At(p) is { } ms)
            {
                quantiles.Add(ms);
            }
        }

        var max = Span(Unwrap(histogram.Properties["Max"]?.Value))?.TotalMilliseconds ?? quantiles.LastOrDefault();
        var summary = new LatencySummary((long)count, At(50) ?? 0, At(90) ?? 0, At(99) ?? 0, max);
        var online = match.Groups[1].Value.Equals("Online", StringComparison.OrdinalIgnoreCase);
        (online ? _onlineQuantiles : _targetQuantiles).AddRange(quantiles);
        if (online)
        {
            _onlineMeasured ??= summary;
        }
        else
        {
            _targetMeasured ??= summary;
        }
    }

    private void AddConnection(CopiedConnection connection, string? run)
    {
        if (!_seen.Add(connection))
        {
            return;
        }

        var record = ReportConnection.From(connection, run, _now);
        ReadExtras(PSObject.AsPSObject(connection), record);
        _connections.Add(record);
    }

    private void AddConnectionRecord(PSObject input)
    {
        var target = Text(Value(input, "Target")) ??
                     (Value(input, "TargetAddress") is { } address ? $"{Text(address)}:{Text(Value(input, "TargetPort"))}" : "");
        var start = Date(Value(input, "StartTime")) ?? default;
        var end = Date(Value(input, "EndTime"));
        var record = new ReportConnection
        {
            Run = Text(Value(input, "Run")),
            Id = (long)(Number(Value(input, "Id")) ?? 0),
            Client = Text(Value(input, "Client")) ?? "",
            FakeClient = Text(Value(input, "FakeClient")) ?? "",
            Target = target,
            StartTime = start,
            EndTime = end,
            Duration = Span(Value(input, "Duration")) ?? Milliseconds(Value(input, "DurationMs")) ?? ((end ?? start) - start),
            HandshakeRtt = Span(Value(input, "HandshakeRtt")) ?? Milliseconds(Value(input, "HandshakeRttMs")),
            ClientPackets = Long(input, "ClientPackets"),
            ClientBytes = Long(input, "ClientBytes"),
            SentPackets = Long(input, "SentPackets"),
            SentBytes = Long(input, "SentBytes"),
            Requests = Long(input, "Requests"),
            ResponsePackets = Long(input, "ResponsePackets"),
            ResponseBytes = Long(input, "ResponseBytes"),
            Retransmissions = Long(input, "Retransmissions"),
            CloseReason = Text(Value(input, "CloseReason")) is { Length: > 0 } reason ? reason : "None",
            HandshakeFailure = Text(Value(input, "HandshakeFailure")) is { Length: > 0 } failure ? failure : "None",
            CloseDetail = Text(Value(input, "CloseDetail")) is { Length: > 0 } detail ? detail : null,
        };
        ReadExtras(input, record);
        _connections.Add(record);
    }

    /// <summary>Latency samples, comparison counts and any other scalar figure the record has beyond the fixed fields.</summary>
    private void ReadExtras(PSObject connection, ReportConnection record)
    {
        foreach (var property in connection.Properties)
        {
            if (ConnectionFields.Contains(property.Name))
            {
                continue;
            }

            var value = Unwrap(property.Value);
            var latency = LatencyName().Match(property.Name);
            if (latency.Success && !SummaryName().IsMatch(property.Name))
            {
                var into = latency.Groups[1].Value.Equals("Online", StringComparison.OrdinalIgnoreCase) ? _online : _target;
                var inMilliseconds = property.Name.EndsWith("Ms", StringComparison.Ordinal);
                foreach (var item in value is IEnumerable sequence and not string ? sequence.Cast<object?>() : [value])
                {
                    if ((Span(Unwrap(item)) ?? (inMilliseconds ? Milliseconds(Unwrap(item)) : null)) is { } span)
                    {
                        into.Add(span.TotalMilliseconds);
                    }
                }
            }

            // A flag (TargetAnsweredNothing) counts the connections that have it.
            if (IsComparison(property.Name) && (value is bool flag ? (flag ? 1 : 0) : Number(value)) is { } count)
            {
                _connectionComparison[property.Name] = _connectionComparison.GetValueOrDefault(property.Name) + count;
            }

            if (value is null or IEnumerable and not string)
            {
                continue;
            }

            if (value is string or bool or TimeSpan or DateTime or Enum || Number(value) is not null)
            {
                record.Extra[property.Name] = Text(value) ?? "";
            }
        }
    }

    private static bool IsComparison(string name) => ComparisonName().IsMatch(name);

    internal static Dictionary<string, long> ParseCloseReasons(string? summary)
    {
        var counts = new Dictionary<string, long>();
        foreach (var pair in (summary ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && long.TryParse(pair.AsSpan(equals + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                counts[pair[..equals]] = count;
            }
        }

        return counts;
    }

    private static object? Value(PSObject input, string name)
    {
        try
        {
            return Unwrap(input.Properties[name]?.Value);
        }
        catch (GetValueException)
        {
            return null;
        }
    }

    /// <summary>The object inside a PSObject, except a PSCustomObject, whose properties live on the wrapper.</summary>
    private static object? Unwrap(object? value) => value is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : value;

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        DateTime d => d.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable sequence => string.Join(", ", sequence.Cast<object?>().Select(i => Text(Unwrap(i)))),
        _ => value.ToString(),
    };

    private static double? Number(object? value) => value switch
    {
        byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static long Long(PSObject input, string name) => (long)(Number(Value(input, name)) ?? 0);

    private static DateTime? Date(object? value) => value switch
    {
        DateTime d => d.ToUniversalTime(),
        string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
        _ => null,
    };

    private static TimeSpan? Span(object? value) => value switch
    {
        TimeSpan t => t,
        string s when TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var parsed) => parsed,
        // ConvertFrom-Json turns a TimeSpan into an object of its fields; Ticks holds it whole.
        PSObject or IDictionary when Number(Ticks(value)) is { } ticks => TimeSpan.FromTicks((long)ticks),
        _ => null,
    };

    private static object? Ticks(object? value) => value switch
    {
        PSObject o => Unwrap(o.Properties["Ticks"]?.Value),
        IDictionary d => d["Ticks"],
        _ => null,
    };

    private static TimeSpan? Milliseconds(object? value) => Number(value) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    [GeneratedRegex("^(Online|Target)\\w*(Latenc|ResponseTime)", RegexOptions.IgnoreCase)]
    private static partial Regex LatencyName();

    [GeneratedRegex("Mismatch|NoAnswer|Unanswered|NoResponse|AnsweredNothing|Silent|Compared", RegexOptions.IgnoreCase)]
    private static partial Regex ComparisonName();

    /// <summary>A record's own summary of its response times (its longest, a percentile), not a sample of them.</summary>
    [GeneratedRegex("(Max|Min|P\\d+|Count)$")]
    private static partial Regex SummaryName();

    [GeneratedRegex("^(Online|Target)(ResponseTimes|ResponseTimeHistogram|Latencies|LatencyHistogram)$", RegexOptions.IgnoreCase)]
    private static partial Regex HistogramName();
}
