using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// An engine that falls behind makes its capture wait (the kernel's buffer holds the backlog) instead of dropping
/// client packets, which would cost each connection hit a reset and a re-open.
/// </summary>
public sealed class EngineBacklogTests
{
    private const int ClientRoom = CopyEngine.DefaultClientQueueCapacity;

    [Fact]
    public void AClientPacketWaitsForRoomInsteadOfBeingDropped()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        FillClientRoom(lab);

        var poster = StartPosting(lab);
        Thread.Sleep(150);
        Assert.True(poster.IsAlive, "the capture thread did not wait for the engine");

        lab.Engine.ProcessQueued(lab.Now);
        Assert.True(poster.Join(TimeSpan.FromSeconds(5)));
        lab.Engine.ProcessQueued(lab.Now);

        var statistics = lab.Engine.Statistics;
        Assert.Equal(1, statistics.BacklogWaits);
        Assert.True(statistics.BacklogWaitTime >= TimeSpan.FromMilliseconds(100), $"wait {statistics.BacklogWaitTime}");
        Assert.Equal(0, statistics.EngineQueueDrops);
        Assert.Equal(ClientRoom + 1, statistics.ClientPacketsSeen);
    }

    [Fact]
    public void AShallowerQueueMakesTheCaptureWaitAfterAsManyPacketsAsItWasGiven()
    {
        // A live copy's queue is shallow (its kernel capture buffer holds the backlog): the wait starts at its depth.
        var lab = new CopyHarness(PacingMode.Timeline, clientQueueCapacity: 64);
        for (var i = 0; i < 64; i++)
        {
            lab.Engine.PostClientPacket(ClientFrame(lab, (uint)i), LinkType.Ipv4);
        }

        Assert.Equal(64, lab.Engine.QueuedEvents);
        var poster = StartPosting(lab);
        Thread.Sleep(150);
        Assert.True(poster.IsAlive, "the 65th packet did not wait for room");

        lab.Engine.ProcessQueued(lab.Now);
        Assert.True(poster.Join(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, lab.Engine.Statistics.BacklogWaits);
        Assert.Equal(0, lab.Engine.Statistics.EngineQueueDrops);
    }

    [Fact]
    public void TheTargetsAnswersGetInAndAreHeardFirstWhileClientPacketsFillTheQueue()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        var syn = Open(lab);
        FillClientRoom(lab);

        var synAck = new byte[40];
        SegmentWriter.Write(synAck, CopyHarness.Target, CopyHarness.TargetPort, syn.Source, syn.SourcePort, CopyHarness.TargetIsn, 1001, TcpFlags.Syn | TcpFlags.Ack, 65535, [], [], 7);
        lab.Engine.PostTargetPacket(synAck);
        Assert.Equal(ClientRoom + 1, lab.Engine.QueuedEvents);
        Assert.Equal(0, lab.Engine.Statistics.EngineQueueDrops);

        // The handshake completes on the first event the engine takes, ahead of the whole client backlog: the first
        // packet it sends next is the ACK to the SYN-ACK, not one of the backlog's SYNs.
        var sentBefore = lab.Sender.Sent.Count;
        lab.Engine.ProcessQueued(lab.Now);
        Assert.Equal(1, lab.Engine.Statistics.ResponsesReceived);
        var first = lab.Sender.Sent[sentBefore];
        Assert.Equal(TcpFlags.Ack, first.Flags);
        Assert.Equal(syn.SourcePort, first.SourcePort);
        Assert.Equal(0, lab.Engine.Statistics.BacklogWaits);
    }

    [Fact]
    public void RefusingNewPacketsReleasesAWaitingCaptureAndCountsThePacket()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        FillClientRoom(lab);
        var outstanding = lab.Engine.BuffersOutstanding;

        var poster = StartPosting(lab);
        Thread.Sleep(100);
        Assert.True(poster.IsAlive, "the capture thread did not wait for the engine");

        lab.Engine.RefuseNewPackets();
        Assert.True(poster.Join(TimeSpan.FromSeconds(2)), "the capture thread still waits after RefuseNewPackets");
        Assert.Equal(1, lab.Engine.Statistics.EngineQueueDrops);
        Assert.Equal(outstanding, lab.Engine.BuffersOutstanding);

        lab.Engine.PostClientPacket(ClientFrame(lab, 1), LinkType.Ipv4);
        Assert.Equal(2, lab.Engine.Statistics.EngineQueueDrops);
    }

    private static SentSegment Open(CopyHarness lab)
    {
        lab.FromClient(40000, 1000, 0, TcpFlags.Syn);
        return lab.Sender.Last;
    }

    private static void FillClientRoom(CopyHarness lab)
    {
        for (var i = 0; i < ClientRoom; i++)
        {
            lab.Engine.PostClientPacket(ClientFrame(lab, (uint)i), LinkType.Ipv4);
        }

        Assert.Equal(ClientRoom, lab.Engine.QueuedEvents);
        Assert.Equal(0, lab.Engine.Statistics.BacklogWaits);
    }

    private static Thread StartPosting(CopyHarness lab)
    {
        var frame = ClientFrame(lab, 99);
        var thread = new Thread(() => lab.Engine.PostClientPacket(frame, LinkType.Ipv4)) { IsBackground = true };
        thread.Start();
        return thread;
    }

    private static TcpReplay.Engine.Buffers.PacketBuffer ClientFrame(CopyHarness lab, uint seq)
    {
        var buffer = lab.Engine.Pool.Rent();
        buffer.Length = SegmentWriter.Write(buffer.Array, CopyHarness.Client, (ushort)(20000 + (seq % 1000)), CopyHarness.Online, CopyHarness.OnlinePort, seq, 0, TcpFlags.Syn, 502, [], [], 1);
        return buffer;
    }
}
