using System.Diagnostics.Metrics;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Statistics;

/// <summary>
/// Reads the TcpReplay instruments once with a <see cref="MeterListener"/>, as dotnet-counters and OpenTelemetry do,
/// keeping only the measurements of one session (tests run in parallel and share the process-wide Meter).
/// </summary>
internal sealed class MetricsCollector
{
    private readonly List<(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    private MetricsCollector()
    {
    }

    public static MetricsCollector Collect(string session)
    {
        var collector = new MetricsCollector();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ReplayMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => collector.Add(session, i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => collector.Add(session, i, v, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return collector;
    }

    public IReadOnlyList<string> Instruments => [.. _measurements.Select(m => m.Instrument).Distinct()];

    public string? Unit(string instrument) => _measurements.First(m => m.Instrument == instrument).Unit;

    /// <summary>The one value of an instrument whose tags include every given tag.</summary>
    public double Value(string instrument, params (string Key, string Value)[] tags)
    {
        var matches = _measurements
            .Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
            .ToList();
        Assert.True(matches.Count == 1, $"{instrument} {string.Join(",", tags)}: {matches.Count} measurements");
        return matches[0].Value;
    }

    public IReadOnlyList<(double Value, Dictionary<string, object?> Tags)> All(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags))];

    private void Add(string session, Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        if (Equals(dictionary.GetValueOrDefault(ReplayMetrics.SessionTag), session))
        {
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, instrument.Unit, value, dictionary));
            }
        }
    }
}
