using System.Diagnostics;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Tests.Connections;

public sealed class EngineWaitTests
{
    [Theory]
    [InlineData(0L, 0.0)]
    [InlineData(-5_000_000L, 0.0)]
    [InlineData(1L, 1.0)]
    [InlineData(300_000L, 1.0)]
    [InlineData(999_999L, 1.0)]
    [InlineData(1_000_000L, 1.0)]
    [InlineData(1_000_001L, 2.0)]
    [InlineData(40_000_000L, 40.0)]
    [InlineData(49_999_999L, 50.0)]
    [InlineData(60_000_000L, 50.0)]
    [InlineData(long.MaxValue, 50.0)]
    public void ATimerSleepsToTheNextWholeMillisecondUpToFifty(long dueInNanoseconds, double expectedMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), EngineWait.Until(dueInNanoseconds));

    [Fact]
    public void AWaitUnderAMillisecondStillSleeps()
    {
        // Monitor.Wait truncates to whole milliseconds: the engine must never hand it a positive wait that truncates to 0.
        for (var due = 1L; due < 5_000_000; due += 7_919)
        {
            var wait = EngineWait.Until(due);
            Assert.True((int)wait.TotalMilliseconds >= 1, $"{due} ns became a wait of {wait.TotalMilliseconds} ms");
            Assert.True(wait.Ticks * 100 >= due, $"{due} ns would wake before the timer is due");
        }
    }

    [Fact]
    public void TheEngineThreadSleepsWhileATimerIsLessThanAMillisecondAway()
    {
        var queue = new EngineQueue(16, 16);
        var batch = new EngineEvent[4];
        var started = Stopwatch.GetTimestamp();
        var turns = 0;
        // The engine loop's shape: a timer 0.3 ms away, nothing queued. Each turn must sleep, not spin.
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(50))
        {
            queue.DequeueBatch(batch, EngineWait.Until(300_000));
            turns++;
        }

        Assert.InRange(turns, 1, 60);
    }
}
