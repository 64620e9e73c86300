using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

public class ReconnectBackoffTests
{
    private static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Maximum = TimeSpan.FromSeconds(5);

    [Fact]
    public void TheFirstFailureWaitsTheMinimumAndEachFurtherOneDoublesIt()
    {
        var backoff = new ReconnectBackoff(Minimum, Maximum);

        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.NextDelay());
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.NextDelay());
        Assert.Equal(TimeSpan.FromMilliseconds(400), backoff.NextDelay());
        Assert.Equal(3, backoff.ConsecutiveFailures);
    }

    [Fact]
    public void TheWaitNeverExceedsTheMaximum()
    {
        var backoff = new ReconnectBackoff(Minimum, Maximum);

        for (var i = 0; i < 6; i++)
        {
            backoff.NextDelay();
        }

        Assert.Equal(Maximum, backoff.NextDelay());
    }

    [Fact]
    public void ManyFailuresStayAtTheMaximumWithoutOverflowing()
    {
        var backoff = new ReconnectBackoff(Minimum, TimeSpan.FromDays(1));

        var last = TimeSpan.Zero;
        for (var i = 0; i < 1000; i++)
        {
            last = backoff.NextDelay();
        }

        Assert.Equal(TimeSpan.FromDays(1), last);
    }

    [Fact]
    public void AConnectionThatSucceedsStartsTheWaitOver()
    {
        var backoff = new ReconnectBackoff(Minimum, Maximum);
        backoff.NextDelay();
        backoff.NextDelay();

        backoff.Reset();

        Assert.Equal(0, backoff.ConsecutiveFailures);
        Assert.Equal(Minimum, backoff.NextDelay());
    }
}
