using TcpReplay.Engine.Offline;

namespace TcpReplay.Engine.Tests.Offline;

public class LatenessHistogramTests
{
    [Fact]
    public void PercentilesAreTheUpperEdgeOfTheirTenMicrosecondBucket()
    {
        var histogram = new LatenessHistogram();
        for (var i = 0; i < 98; i++)
        {
            histogram.Add(3_000);
        }

        histogram.Add(250_000);
        histogram.Add(40_000_000);

        Assert.Equal(10_000, histogram.Percentile(0.5));
        Assert.Equal(260_000, histogram.Percentile(0.99));
        Assert.Equal(40_000_000, histogram.Percentile(1));
        Assert.Equal(40_000_000, histogram.Max);
        Assert.Equal(100, histogram.Count);
    }

    [Fact]
    public void AnEmptyHistogramReportsZero() => Assert.Equal(0, new LatenessHistogram().Percentile(0.99));
}
