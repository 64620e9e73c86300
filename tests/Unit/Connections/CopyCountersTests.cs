using System.Diagnostics.Metrics;
using System.Reflection;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// The counter table is the one list the pipe codec and the metrics are made from: a counter field left out of it, a
/// line that reads another field than its property, or a metric the meter does not publish fails here.
/// </summary>
public sealed class CopyCountersTests
{
    private static readonly FieldInfo[] CounterFields = [.. typeof(CopyStatistics)
        .GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
        .Where(f => f.FieldType == typeof(long) && f.Name.EndsWith("Field", StringComparison.Ordinal))];

    [Fact]
    public void EveryCounterFieldIsInTheTableExactlyOnce()
    {
        var statistics = new CopyStatistics();
        for (var i = 0; i < CounterFields.Length; i++)
        {
            CounterFields[i].SetValue(statistics, 1000L + i);
        }

        var read = CopyStatistics.Counters.Select(c => c.Read(statistics)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, CounterFields.Length).Select(i => 1000L + i), read);
        Assert.Equal(CopyStatistics.Counters.Count, CopyStatistics.Counters.Select(c => c.Property).Distinct().Count());
    }

    [Fact]
    public void EachLineReadsThePropertyItNames()
    {
        var statistics = new CopyStatistics();
        var next = 0L;
        statistics.VisitCounters((ref long counter) => counter = next += 11);
        foreach (var counter in CopyStatistics.Counters)
        {
            var property = typeof(CopyStatistics).GetProperty(counter.Property);
            Assert.True(property is not null, $"{counter.Property} is not a CopyStatistics property");
            var expected = counter.Kind == CopyCounterKind.Count ? (object)counter.Read(statistics) : TimeSpan.FromTicks(counter.Read(statistics));
            Assert.Equal(expected, property.GetValue(statistics));
        }
    }

    [Fact]
    public void EveryMetricOfTheTableIsPublishedWithItsUnitAndDescriptionAndNoMaximumIs()
    {
        _ = ReplayMetrics.Meter;
        var published = new Dictionary<string, Instrument>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ReplayMetrics.MeterName)
                {
                    published[instrument.Name] = instrument;
                }
            };
            listener.Start();
        }

        foreach (var counter in CopyStatistics.Counters)
        {
            if (counter.Kind == CopyCounterKind.MaxTicks)
            {
                Assert.Null(counter.Metric);
                continue;
            }

            if (counter.Metric is { } name)
            {
                Assert.True(published.TryGetValue(name, out var instrument), $"{name} ({counter.Property}) is not published");
                Assert.Equal((counter.Unit, counter.Description), (instrument.Unit, instrument.Description));
            }
        }
    }
}
