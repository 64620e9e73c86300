using TcpReplay.Engine.Reports;

namespace TcpReplay.Engine.Tests.Reports;

public class ReportModelTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(50, 5)]
    [InlineData(90, 9)]
    [InlineData(99, 10)]
    [InlineData(100, 10)]
    [InlineData(1, 1)]
    public void PercentilesAreNearestRank(double percent, double expected) =>
        Assert.Equal(expected, LatencySummary.Percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], percent));

    [Fact]
    public void NoSamplesMeansNotMeasuredRatherThanZero() => Assert.Null(LatencySummary.From([]));

    [Fact]
    public void RatesFromSamplesAreTheCounterDifferencesPerSecond()
    {
        ThroughputSample[] samples =
        [
            new(Start, 0, 0, 0, 0, 0),
            new(Start.AddSeconds(2), 200, 0, 4, 0, 0),
            new(Start.AddSeconds(3), 500, 0, 4, 0, 0),
        ];

        var series = RateSeries.FromSamples("client", samples, Start, s => s.ClientPackets);

        Assert.Equal([new ChartPoint(2, 100), new ChartPoint(3, 300)], series.Points);
    }

    [Fact]
    public void WithoutSamplesThroughputIsCountedFromTheConnectionsStartTimes()
    {
        var report = new ReplayReport
        {
            Connections =
            [
                new ReportConnection { Id = 1, StartTime = Start, EndTime = Start.AddSeconds(1), Requests = 3 },
                new ReportConnection { Id = 2, StartTime = Start.AddSeconds(0.5), EndTime = Start.AddSeconds(2), Requests = 1 },
                new ReportConnection { Id = 3, StartTime = Start.AddSeconds(2.2), EndTime = Start.AddSeconds(3), Requests = 5 },
            ],
        };

        var series = report.Throughput();

        Assert.Equal(["connections/s", "requests/s"], series.Select(s => s.Name));
        Assert.Equal(3, series[0].Points.Sum(p => p.Y));
        Assert.Equal(4, series[1].Points[0].Y);
        Assert.Equal(5, series[1].Points[2].Y);
    }

    [Fact]
    public void StoppedConnectionsAreNeitherNormalNorFailed()
    {
        var stopped = new ReportConnection { CloseReason = "Stopped" };
        var reset = new ReportConnection { CloseReason = "TargetReset" };
        var open = new ReportConnection();

        Assert.False(stopped.IsFailed);
        Assert.True(reset.IsFailed);
        Assert.False(open.IsFailed);
        Assert.True(open.IsOpen);
    }

    [Theory]
    [InlineData(0.3, 0.5)]
    [InlineData(7, 10)]
    [InlineData(10, 10)]
    [InlineData(11, 20)]
    [InlineData(1234, 2000)]
    public void AxisMaximaAreRoundNumbers(double value, double expected) => Assert.Equal(expected, SvgChart.NiceCeiling(value), 9);
}
