using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Tests.Connections;

public class CopyStatisticsTests
{
    [Fact]
    public void HeldClosesAreCountedWithTheirTotalAndTheLongestHold()
    {
        var statistics = new CopyStatistics();

        statistics.CountCloseHeld(TimeSpan.FromMilliseconds(300).Ticks);
        statistics.CountCloseHeld(TimeSpan.FromMilliseconds(1200).Ticks);
        statistics.CountCloseHeld(TimeSpan.FromMilliseconds(50).Ticks);

        Assert.Equal(3, statistics.ClosesHeld);
        Assert.Equal(TimeSpan.FromMilliseconds(1550), statistics.CloseHeldTime);
        Assert.Equal(TimeSpan.FromMilliseconds(1200), statistics.CloseHeldMax);
    }

    [Fact]
    public void NoHeldCloseMeansZeroHoldTimes()
    {
        var statistics = new CopyStatistics();

        Assert.Equal(0, statistics.ClosesHeld);
        Assert.Equal(TimeSpan.Zero, statistics.CloseHeldTime);
        Assert.Equal(TimeSpan.Zero, statistics.CloseHeldMax);
    }
}
