using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Reports;

namespace TcpReplay.Engine.Tests.Reports;

public class StatisticsSamplerTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void EachSampleHoldsTheCountersAsTheyWereThen()
    {
        var statistics = new CopyStatistics();
        var sampler = new StatisticsSampler(statistics, capacity: 8);
        sampler.Sample(Start);
        statistics.ClientPacketsSeenField = 100;
        statistics.ConnectionsOpenedField = 3;
        sampler.Sample(Start.AddSeconds(1));

        var samples = sampler.Snapshot();

        Assert.Equal(2, samples.Count);
        Assert.Equal(0, samples[0].ClientPackets);
        Assert.Equal(100, samples[1].ClientPackets);
        Assert.Equal(3, samples[1].Connections);
        Assert.Equal(Start.AddSeconds(1), samples[1].Time);
    }

    [Fact]
    public void AFullSeriesKeepsItsWholeSpanAtHalfTheResolutionAndNeverExceedsItsCapacity()
    {
        var sampler = new StatisticsSampler(new CopyStatistics(), capacity: 8);
        for (var second = 0; second < 100; second++)
        {
            sampler.Sample(Start.AddSeconds(second));
        }

        var samples = sampler.Snapshot();

        Assert.InRange(samples.Count, 4, 8);
        Assert.Equal(Start, samples[0].Time);
        Assert.True(samples[^1].Time >= Start.AddSeconds(100 - sampler.Stride), $"last sample {samples[^1].Time:O}, stride {sampler.Stride}");
        Assert.True(samples.Zip(samples.Skip(1)).All(p => p.First.Time < p.Second.Time));
    }

    [Fact]
    public void TheFinalSampleIsKeptWhateverTheStride()
    {
        var sampler = new StatisticsSampler(new CopyStatistics(), capacity: 4);
        for (var second = 0; second < 10; second++)
        {
            sampler.Sample(Start.AddSeconds(second));
        }

        sampler.SampleFinal(Start.AddSeconds(10.5));

        Assert.Equal(Start.AddSeconds(10.5), sampler.Snapshot()[^1].Time);
    }
}
