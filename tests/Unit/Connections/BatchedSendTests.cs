using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// With a batching sender (the live copy's raw socket), the engine holds what it sends while it works through a batch
/// of events and sends it in one go before it waits: same packets, same order, every outcome counted.
/// </summary>
public sealed class BatchedSendTests
{
    private const int Connections = 5;

    [Fact]
    public void HeldPacketsGoOutInTheOrderTheyWereSentWhenTheBatchIsDone()
    {
        var sender = new HoldingSender(capacity: 64);
        var engine = NewEngine(sender);
        PostSyns(engine, Connections);

        engine.ProcessQueued(engine.NowNanoseconds());

        Assert.Equal(Connections, sender.Held);
        Assert.Equal(1, sender.Flushes);
        Assert.Equal(Connections, sender.Wire.Count);
        Assert.Equal(Enumerable.Range(0, Connections).Select(i => (ushort)(20000 + i)), sender.Wire.Select(ClientPortOf));
        Assert.Equal(Connections, engine.Statistics.PacketsSent);
    }

    [Fact]
    public void AFullBatchIsSentBeforeTheNextPacketIsHeld()
    {
        var sender = new HoldingSender(capacity: 2);
        var engine = NewEngine(sender);
        PostSyns(engine, Connections);

        engine.ProcessQueued(engine.NowNanoseconds());

        // 2 + 2 when the batch filled up, the last one when the engine was done.
        Assert.Equal(3, sender.Flushes);
        Assert.Equal(Enumerable.Range(0, Connections).Select(i => (ushort)(20000 + i)), sender.Wire.Select(ClientPortOf));
        Assert.Equal(Connections, engine.Statistics.PacketsSent);
    }

    [Fact]
    public void APacketTooLargeToHoldGoesOutAfterTheHeldOnes()
    {
        var sender = new HoldingSender(capacity: 64) { LargestHeld = 0 };
        var engine = NewEngine(sender);
        PostSyns(engine, 3);

        engine.ProcessQueued(engine.NowNanoseconds());

        Assert.Equal(0, sender.Held);
        Assert.Equal(3, sender.SentAlone);
        Assert.Equal(3, engine.Statistics.PacketsSent);
    }

    [Fact]
    public void ARefusedHeldPacketIsCountedWithItsErrnoAndTheOthersStillCount()
    {
        var sender = new HoldingSender(capacity: 64) { RefuseIndex = 1, RefuseErrno = LinuxErrno.ENETUNREACH };
        var engine = NewEngine(sender);
        PostSyns(engine, 3);

        engine.ProcessQueued(engine.NowNanoseconds());

        Assert.Equal(2, engine.Statistics.PacketsSent);
        Assert.Equal(1, engine.Statistics.SendErrors);
        Assert.Equal(1, engine.Statistics.SendErrorsByErrno[LinuxErrno.ENETUNREACH]);
    }

    [Fact]
    public void TheEngineThreadSendsWhatItHeldBeforeItWaitsForMoreEvents()
    {
        var sender = new HoldingSender(capacity: 64);
        var engine = NewEngine(sender, TimeProvider.System);
        engine.Start();
        try
        {
            PostSyns(engine, 1);

            // No further event comes: only the flush before the wait can send the SYN.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (sender.WireCount == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }

            Assert.Equal(1, sender.WireCount);
        }
        finally
        {
            engine.Stop(TimeSpan.FromSeconds(2));
        }
    }

    [Fact]
    public void TheResetsOfAStopAreSentToo()
    {
        var sender = new HoldingSender(capacity: 64);
        var engine = NewEngine(sender);
        PostSyns(engine, 2);
        engine.ProcessQueued(engine.NowNanoseconds());
        var before = sender.WireCount;

        engine.Stop(TimeSpan.FromSeconds(2));

        Assert.Equal(0, sender.HeldNow);
        Assert.True(sender.WireCount > before, "the stop's resets were held and never sent");
    }

    private static CopyEngine NewEngine(IPacketSender sender, TimeProvider? time = null)
    {
        IPv4Network.TryParse("198.19.0.0/24", out var fake);
        return new CopyEngine(
            new CopyEngineOptions
            {
                Transfers = [new Transfer(0, CopyHarness.OnlinePort, CopyHarness.Target, CopyHarness.TargetPort)],
                FakeClientNetworks = [fake],
                Pacing = PacingMode.Timeline,
                BystanderAddresses = new HashSet<uint>(),
            },
            sender,
            new NoChannel(),
            time ?? new ManualTimeProvider());
    }

    private static void PostSyns(CopyEngine engine, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var buffer = engine.Pool.Rent();
            buffer.Length = SegmentWriter.Write(buffer.Array, CopyHarness.Client, (ushort)(20000 + i), CopyHarness.Online, CopyHarness.OnlinePort, 1000, 0, TcpFlags.Syn, 502, [], [], 1);
            engine.PostClientPacket(buffer, LinkType.Ipv4);
        }
    }

    // The fake client port is the client's (the copier keeps the port), so the wire order names the connections.
    private static ushort ClientPortOf(byte[] packet) => new SentSegment(packet).SourcePort;

    private sealed class HoldingSender(int capacity) : IBatchingPacketSender
    {
        private readonly List<byte[]> _held = [];
        private readonly Lock _gate = new();

        public List<byte[]> Wire { get; } = [];

        public int WireCount
        {
            get
            {
                lock (_gate)
                {
                    return Wire.Count;
                }
            }
        }

        public int Held { get; private set; }

        public int HeldNow => _held.Count;

        public int Flushes { get; private set; }

        public int SentAlone { get; private set; }

        public int LargestHeld { get; init; } = int.MaxValue;

        public int RefuseIndex { get; init; } = -1;

        public int RefuseErrno { get; init; }

        public bool TryHold(ReadOnlySpan<byte> ipPacket, uint destination)
        {
            if (_held.Count == capacity || ipPacket.Length > LargestHeld)
            {
                return false;
            }

            _held.Add(ipPacket.ToArray());
            Held++;
            return true;
        }

        public void Flush(ISendOutcome outcome)
        {
            if (_held.Count == 0)
            {
                return;
            }

            Flushes++;
            var sent = 0;
            for (var i = 0; i < _held.Count; i++)
            {
                if (i == RefuseIndex)
                {
                    outcome.Sent(sent);
                    sent = 0;
                    outcome.Failed(RefuseErrno);
                    continue;
                }

                lock (_gate)
                {
                    Wire.Add(_held[i]);
                }

                sent++;
            }

            outcome.Sent(sent);
            _held.Clear();
        }

        public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
        {
            Assert.Empty(_held);
            SentAlone++;
            lock (_gate)
            {
                Wire.Add(ipPacket.ToArray());
            }

            return 0;
        }

        public void Dispose()
        {
        }
    }

    private sealed class NoChannel : IInterceptChannel
    {
        public bool IsConnected => true;

        public void AddClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
        {
        }

        public void RemoveClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
        {
        }
    }
}
