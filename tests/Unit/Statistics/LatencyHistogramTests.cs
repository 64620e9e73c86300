using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Statistics;

public class LatencyHistogramTests
{
    [Fact]
    public void EmptyHistogramHasNoPercentiles()
    {
        var histogram = new LatencyHistogram();
        Assert.Null(histogram.Percentile(50));
        Assert.Equal(0, histogram.Count);
        Assert.Equal(TimeSpan.Zero, histogram.Max);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(90)]
    [InlineData(99)]
    [InlineData(100)]
    public void PercentilesOfAUniformSpreadAreWithinTheBucketError(double percentile)
    {
        var histogram = new LatencyHistogram();
        for (var ms = 1; ms <= 1000; ms++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(ms));
        }

        var expected = percentile * 10; // milliseconds
        var actual = histogram.Percentile(percentile)!.Value.TotalMilliseconds;
        Assert.InRange(actual, expected * (1 - (1.0 / LatencyHistogram.SubBuckets)), expected * (1 + (1.0 / LatencyHistogram.SubBuckets)));
        Assert.Equal(1000, histogram.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), histogram.Max);
        Assert.Equal(500.5, histogram.Mean.TotalMilliseconds, 3);
    }

    [Fact]
    public void AMedianIsTheMiddleSampleNotTheMean()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 99; i++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(20));
        }

        histogram.Record(TimeSpan.FromSeconds(30));
        Assert.InRange(histogram.Percentile(50)!.Value.TotalMilliseconds, 19.5, 20.5);
        Assert.InRange(histogram.Percentile(99)!.Value.TotalMilliseconds, 19.5, 20.5);
        Assert.Equal(TimeSpan.FromSeconds(30), histogram.Max);
    }

    [Fact]
    public void SmallValuesAreExactAndHugeOnesLandInTheLastBucket()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMicroseconds(7));
        Assert.Equal(TimeSpan.FromMicroseconds(7), histogram.Percentile(100));
        histogram.Record(TimeSpan.FromDays(365));
        histogram.Record(TimeSpan.FromTicks(-5));
        Assert.Equal(3, histogram.Count);
        Assert.Equal(TimeSpan.FromMicroseconds(0), histogram.Percentile(1));
    }

    [Fact]
    public void BucketsCoverEveryValueInOrder()
    {
        var previous = -1;
        for (long value = 0; value < 1L << 42; value = (value * 9 / 8) + 1)
        {
            var index = LatencyHistogram.IndexOf(value);
            Assert.True(index >= previous, $"index of {value} went down");
            var (low, width) = LatencyHistogram.BucketRange(index);
            if (value < 1L << 41)
            {
                Assert.InRange(value, low, low + width - 1);
            }

            previous = index;
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void PercentileOutsideZeroToHundredIsRefused(double percentile) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyHistogram().Percentile(percentile));
}
