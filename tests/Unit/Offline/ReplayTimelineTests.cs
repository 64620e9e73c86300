using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Tests.Connections;

namespace TcpReplay.Engine.Tests.Offline;

public class ReplayTimelineTests
{
    private const long Millisecond = 1_000_000;
    private static readonly long Capture0 = OfflineCapture.TimeOf(0);

    private readonly ManualTimeProvider _clock = new();
    private readonly PacketBufferPool _pool = new(64, 64);
    private readonly List<(byte Tag, long At)> _posted = [];
    private readonly FakeWaits _waits;
    private readonly PrecisionScheduler _scheduler;
    private long _handOverCost;

    public ReplayTimelineTests()
    {
        _waits = new FakeWaits(_clock, sleepOvershootNanoseconds: 0);
        _scheduler = new PrecisionScheduler(_clock, _waits);
    }

    [Fact]
    public void PacketsGoAtTheirCaptureOffsetDividedByTheSpeed()
    {
        var timeline = Timeline(ReplaySpeed.FromFactor(2));
        var flow = Flow(0);
        var start = _scheduler.Now;

        Offer(timeline, 1, flow, 0);
        Offer(timeline, 2, flow, 10 * Millisecond);
        Offer(timeline, 3, flow, 30 * Millisecond);

        Assert.Equal([0, 5 * Millisecond, 15 * Millisecond], _posted.Select(p => p.At - start));
    }

    [Fact]
    public void ACloseWaitsUntilItsOffsetFromTheConnectionsLateFirstPacketWhileOthersGoOn()
    {
        var timeline = Timeline(ReplaySpeed.Normal);
        var a = Flow(0);
        var b = Flow(1 * Millisecond);
        var start = _scheduler.Now;

        _handOverCost = 4 * Millisecond;            // the first hand-over of A is slow: A really starts at 4 ms
        Offer(timeline, 1, a, 0);
        _handOverCost = 0;
        Offer(timeline, 2, b, 1 * Millisecond);     // B is behind and goes at once
        Offer(timeline, 3, a, 10 * Millisecond, isClose: true);   // A's FIN: 10 ms after A's first packet in the capture
        Offer(timeline, 4, b, 12 * Millisecond);    // B's next packet must not wait behind A's FIN
        Offer(timeline, 5, a, 13 * Millisecond);    // A's last ACK must not overtake A's FIN
        timeline.Flush(default);

        var at = _posted.ToDictionary(p => p.Tag, p => p.At - start);
        var aStarted = 4 * Millisecond;
        Assert.True(at[3] - aStarted >= 10 * Millisecond, $"FIN {at[3] - aStarted} ns after A's first packet, capture 10 ms");
        Assert.Equal(12 * Millisecond, at[4]);
        Assert.True(at[5] >= at[3]);
        Assert.Equal([1, 2, 4, 3, 5], _posted.Select(p => p.Tag));
        Assert.Equal(1, timeline.ClosesDeferred);
    }

    [Fact]
    public void ACloseIsMeasuredFromTheCopiersSynWhenTheEngineSentItLate()
    {
        var starts = new FakeStarts();
        var timeline = Timeline(ReplaySpeed.Normal, starts);
        var a = Flow(0);
        a.Port = 40000;
        var start = _scheduler.Now;

        Offer(timeline, 1, a, 0);
        starts.SentAt[40000] = start + (30 * Millisecond);   // the engine (cold JIT, busy host) sent the SYN 30 ms late
        Offer(timeline, 2, a, 20 * Millisecond, isClose: true);
        timeline.Flush(default);

        Assert.Equal(50 * Millisecond + ReplayTimeline.CloseGuardNanoseconds, _posted[1].At - start);
    }

    [Fact]
    public void ASynFromAnEarlierConnectionOnThePortIsNotTakenAsThisOnesStart()
    {
        var starts = new FakeStarts();
        var timeline = Timeline(ReplaySpeed.Normal, starts);
        var a = Flow(0);
        a.Port = 40000;
        starts.SentAt[40000] = _scheduler.Now - (5 * Millisecond);   // an older connection's SYN, before A was handed over
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var start = _scheduler.Now;
        Offer(timeline, 1, a, 0);

        // A's own SYN never shows (a test that stops the engine): the close waits the bounded second, then uses the hand-over.
        Offer(timeline, 2, a, 20 * Millisecond, isClose: true);
        timeline.Flush(default);

        Assert.True(_posted[1].At - start >= 20 * Millisecond + ReplayTimeline.CloseGuardNanoseconds);
    }

    [Fact]
    public void ACloseOnTimeGoesOneGuardMillisecondAfterItsCaptureOffset()
    {
        var timeline = Timeline(ReplaySpeed.Normal);
        var a = Flow(0);
        var start = _scheduler.Now;

        Offer(timeline, 1, a, 0);
        Offer(timeline, 2, a, 20 * Millisecond, isClose: true);
        timeline.Flush(default);

        Assert.Equal(20 * Millisecond + ReplayTimeline.CloseGuardNanoseconds, _posted[1].At - start);
    }

    [Fact]
    public void AtMaxSpeedNothingWaitsAndTheOrderIsKept()
    {
        var timeline = Timeline(ReplaySpeed.Max);
        var a = Flow(0);
        var start = _scheduler.Now;

        for (byte i = 1; i <= 5; i++)
        {
            Offer(timeline, i, a, i * 100 * Millisecond, isClose: i == 5);
        }

        Assert.All(_posted, p => Assert.Equal(start, p.At));
        Assert.Equal([1, 2, 3, 4, 5], _posted.Select(p => p.Tag));
    }

    [Fact]
    public void AStopReturnsTheBuffersOfPacketsNotHandedOver()
    {
        var timeline = Timeline(ReplaySpeed.Normal);
        var a = Flow(0);
        using var cancel = new CancellationTokenSource();

        _handOverCost = 5 * Millisecond;
        Offer(timeline, 1, a, 0);
        _handOverCost = 0;
        Offer(timeline, 2, a, 1 * Millisecond, isClose: true);   // deferred behind the late start
        cancel.Cancel();
        Offer(timeline, 3, a, 2 * Millisecond, cancellation: cancel.Token);
        timeline.Discard();

        Assert.Single(_posted);
        Assert.Equal(1, _pool.Outstanding);   // only the one handed over (the test's post keeps it)
    }

    [Fact]
    public void OfferingAllocatesNothingInSteadyState()
    {
        _waits.Recording = false;
        var timeline = new ReplayTimeline(_scheduler, ReplaySpeed.Normal, (buffer, _) => PacketBufferPool.ReturnToOwner(buffer));
        timeline.Begin();
        var a = Flow(0);
        for (var i = 0; i < 100; i++)
        {
            timeline.Offer(_pool.Rent(), LinkType.Ethernet, a, i * Millisecond, Capture0 + (i * Millisecond), isClose: i % 10 == 9, default);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < 1100; i++)
        {
            timeline.Offer(_pool.Rent(), LinkType.Ethernet, a, i * Millisecond, Capture0 + (i * Millisecond), isClose: i % 10 == 9, default);
        }

        timeline.Flush(default);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private ReplayTimeline Timeline(ReplaySpeed speed, IConnectionStarts? starts = null)
    {
        var timeline = new ReplayTimeline(_scheduler, speed, (buffer, _) =>
        {
            _posted.Add((buffer.Array[0], _scheduler.Now));
            if (_handOverCost > 0)
            {
                _clock.Advance(TimeSpan.FromTicks(_handOverCost / 100));
            }
        }, starts);
        timeline.Begin();
        return timeline;
    }

    private sealed class FakeStarts : IConnectionStarts
    {
        public Dictionary<ushort, long> SentAt { get; } = [];

        public bool TryGetStart(ushort clientPort, long notBefore, out long sentAt) =>
            SentAt.TryGetValue(clientPort, out sentAt) && sentAt >= notBefore;
    }

    private static ReplayFlow Flow(long firstOffset) => new() { Selected = true, FirstTimestamp = Capture0 + firstOffset };

    private void Offer(ReplayTimeline timeline, byte tag, ReplayFlow flow, long offset, bool isClose = false, CancellationToken cancellation = default)
    {
        var buffer = _pool.Rent();
        buffer.Array[0] = tag;
        buffer.Length = 1;
        timeline.Offer(buffer, LinkType.Ethernet, flow, offset, Capture0 + offset, isClose, cancellation);
    }
}
