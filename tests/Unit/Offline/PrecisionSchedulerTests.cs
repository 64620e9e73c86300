using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Tests.Connections;

namespace TcpReplay.Engine.Tests.Offline;

public class PrecisionSchedulerTests
{
    private const long Millisecond = 1_000_000;

    [Theory]
    [InlineData(0L)]
    [InlineData(50_000L)]
    [InlineData(299_000L)]
    [InlineData(Millisecond)]
    [InlineData(7 * Millisecond)]
    [InlineData(250 * Millisecond)]
    public void WaitUntilNeverReturnsBeforeTheDeadline(long ahead)
    {
        var clock = new ManualTimeProvider();
        var scheduler = new PrecisionScheduler(clock, new FakeWaits(clock));
        var due = scheduler.Now + ahead;

        scheduler.WaitUntil(due);

        Assert.True(scheduler.Now >= due);
    }

    [Fact]
    public void AFarDeadlineIsSleptUntilTheSpinWindowAndOnlyTheWindowIsSpun()
    {
        var clock = new ManualTimeProvider();
        var waits = new FakeWaits(clock, sleepOvershootNanoseconds: 60_000, spinStepNanoseconds: 5_000);
        var scheduler = new PrecisionScheduler(clock, waits, spinWindowNanoseconds: 200_000);
        var due = scheduler.Now + (100 * Millisecond);

        var late = scheduler.WaitUntil(due);

        // 100 ms of sleep in pieces of at most 20 ms; the spin covers what the sleep's overshoot left of the 200 µs window.
        Assert.InRange(waits.SleepRequests.Count, 5, 6);
        Assert.All(waits.SleepRequests, s => Assert.InRange(s, 1, PrecisionScheduler.MaxSleepNanoseconds));
        Assert.InRange(waits.Spins, 1, (200_000 / 5_000) + 1);
        Assert.InRange(late, 0, 5_000);
    }

    [Fact]
    public void ADeadlineInsideTheSpinWindowIsSpunNotSlept()
    {
        var clock = new ManualTimeProvider();
        var waits = new FakeWaits(clock);
        var scheduler = new PrecisionScheduler(clock, waits, spinWindowNanoseconds: 200_000);

        scheduler.WaitUntil(scheduler.Now + 200_000);

        Assert.Empty(waits.SleepRequests);
        Assert.Equal(40, waits.Spins);
    }

    [Fact]
    public void APassedDeadlineReturnsAtOnceAndCountsItsLateness()
    {
        var clock = new ManualTimeProvider();
        var waits = new FakeWaits(clock);
        var scheduler = new PrecisionScheduler(clock, waits);
        var due = scheduler.Now;
        clock.Advance(TimeSpan.FromMilliseconds(3));

        var late = scheduler.WaitUntil(due);

        Assert.Equal(3 * Millisecond, late);
        Assert.Empty(waits.SleepRequests);
        Assert.Equal(0, waits.Spins);
        Assert.Equal(1, scheduler.Lateness.Count);
        Assert.Equal(3 * Millisecond, scheduler.Lateness.Max);
    }

    [Fact]
    public void ACancelledWaitReturnsWithinOneSleepPiece()
    {
        var clock = new ManualTimeProvider();
        var waits = new FakeWaits(clock);
        var scheduler = new PrecisionScheduler(clock, waits);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var start = scheduler.Now;

        scheduler.WaitUntil(start + (10_000 * Millisecond), cancel.Token);

        Assert.Empty(waits.SleepRequests);
        Assert.Equal(start, scheduler.Now);
    }
}

[Collection(RealClockCollection.Name)]
public class PrecisionSchedulerRealClockTests
{
    private const long Millisecond = 1_000_000;

    [Fact]
    public void RealWaitsMeetASparseTimelineWithinAFewMillisecondsWithoutSpinningThroughTheGaps()
    {
        // The one real-clock test: 20 deadlines 10 ms apart. The bound is loose for a shared CI machine; the lab
        // measures the real figures (docs/benchmarks.md, Offline replay).
        SystemWaitPrimitives.ReduceTimerSlack();
        var scheduler = new PrecisionScheduler();
        var start = scheduler.Now + (5 * Millisecond);
        for (var i = 0; i < 20; i++)
        {
            var due = start + (i * 10 * Millisecond);
            scheduler.WaitUntil(due);
            Assert.True(scheduler.Now >= due);
        }

        // Most gaps are slept, not spun (a gap that a preempted thread already overran is not waited at all).
        Assert.True(scheduler.Sleeps >= 10, $"slept {scheduler.Sleeps} times in 20 gaps");
        Assert.True(scheduler.Lateness.Percentile(0.5) < 5 * Millisecond, $"median lateness {scheduler.Lateness.Percentile(0.5)} ns");
    }
}
