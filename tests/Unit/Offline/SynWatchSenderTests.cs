using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Tests.Connections;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Offline;

public class SynWatchSenderTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly PrecisionScheduler _scheduler;

    public SynWatchSenderTests() => _scheduler = new PrecisionScheduler(_clock, new FakeWaits(_clock));

    [Fact]
    public void HoldsWhenTheRealSenderBatchesAndNotesTheSynWhenItsBatchGoes()
    {
        var inner = new CountingBatchSender();
        var watch = new SynWatchSender(inner, _scheduler);
        var heldAt = _scheduler.Now;

        Assert.True(watch.TryHold(Segment(40001, TcpFlags.Syn), CopyHarness.Target));
        Assert.True(watch.TryHold(Segment(40002, TcpFlags.Ack | TcpFlags.Psh, 10), CopyHarness.Target));
        Assert.False(watch.TryGetStart(40001, heldAt, out _));

        _clock.Advance(TimeSpan.FromMilliseconds(2));
        watch.Flush(new NoOutcome());

        Assert.Equal(2, inner.Flushed);
        Assert.True(watch.TryGetStart(40001, heldAt, out var sentAt));
        Assert.Equal(_scheduler.Now, sentAt);
        Assert.False(watch.TryGetStart(40002, heldAt, out _));
    }

    [Fact]
    public void HoldsNothingWhenTheRealSenderDoesNotBatch()
    {
        var inner = new RecordingSender();
        var watch = new SynWatchSender(inner, _scheduler);
        var before = _scheduler.Now;

        Assert.False(watch.TryHold(Segment(40001, TcpFlags.Syn), CopyHarness.Target));
        watch.Send(Segment(40001, TcpFlags.Syn), CopyHarness.Target);

        Assert.Single(inner.Sent);
        Assert.True(watch.TryGetStart(40001, before, out _));
    }

    private static byte[] Segment(ushort port, TcpFlags flags, int payload = 0)
    {
        var packet = new byte[60 + payload];
        var length = SegmentWriter.Write(packet, CopyHarness.Client, port, CopyHarness.Target, CopyHarness.TargetPort, 1000, 0, flags, 502, [], new byte[payload], 1);
        return packet[..length];
    }

    private sealed class CountingBatchSender : IBatchingPacketSender
    {
        private int _held;

        public int Flushed { get; private set; }

        public int Send(ReadOnlySpan<byte> ipPacket, uint destination) => 0;

        public bool TryHold(ReadOnlySpan<byte> ipPacket, uint destination)
        {
            _held++;
            return true;
        }

        public void Flush(ISendOutcome outcome)
        {
            Flushed += _held;
            _held = 0;
        }

        public void Dispose()
        {
        }
    }

    private sealed class NoOutcome : ISendOutcome
    {
        public void Sent(int count)
        {
        }

        public void Failed(int errno)
        {
        }
    }
}
