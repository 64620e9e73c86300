using System.Net.Sockets;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Tests.Lab;
using TcpReplay.Engine.Transmit;
using static TcpReplay.Engine.Tests.Lab.LabTopology;

namespace TcpReplay.Engine.Tests.Buffers;

/// <summary>sendmmsg and recvmmsg through real raw sockets, between two lab namespaces.</summary>
[Collection(LabCollection.Name)]
public sealed class MessageBatchTests
{
    private const uint OnlineNumber = 0xC6120014;      // 198.18.0.20
    private const uint ClientNumber = 0xC612000A;      // 198.18.0.10
    private const uint Unroutable = 0xC613FF01;        // 198.19.255.1: no route in the online namespace

    [Fact]
    public void HoldsNoMoreThanItsSlotsAndNoPacketLargerThanASlot()
    {
        using var batch = new MessageBatch(capacity: 2, slotSize: 128);
        Assert.False(batch.TryAdd(new byte[129], ClientNumber));
        Assert.True(batch.TryAdd(new byte[128], ClientNumber));
        Assert.True(batch.TryAdd(new byte[40], ClientNumber));
        Assert.False(batch.TryAdd(new byte[40], ClientNumber));
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void ADisposedBatchRefusesToBeUsed()
    {
        var batch = new MessageBatch(capacity: 2, slotSize: 128);
        batch.Dispose();
        Assert.Throws<ObjectDisposedException>(() => batch.TryAdd(new byte[40], ClientNumber));
        Assert.Throws<ObjectDisposedException>(() => batch.Receive(0));
        batch.Dispose();
    }

    [RootFact]
    public void SendsAHeldBatchInOrderAndTheOtherSideReadsItInOneCall()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        using var receiver = OpenIn(lab, Client, ProtocolType.Tcp);
        using var sender = OpenIn(lab, Online, ProtocolType.Raw);
        using var outgoing = new MessageBatch(capacity: 8, slotSize: 2048);
        using var incoming = new MessageBatch(capacity: 8, slotSize: 65536);
        var outcome = new Outcome();

        for (ushort i = 0; i < 5; i++)
        {
            Assert.True(outgoing.TryAdd(Segment((ushort)(40000 + i), payload: 100 * i), ClientNumber));
        }

        outgoing.Send(Fd(sender), outcome);

        Assert.Equal(5, outcome.SentCount);
        Assert.Empty(outcome.Errors);
        Assert.Equal(0, outgoing.Count);
        var ports = ReadPorts(receiver, incoming, expected: 5);
        Assert.Equal([40000, 40001, 40002, 40003, 40004], ports);
    }

    [RootFact]
    public void APacketTheKernelRefusesIsReportedAndThePacketsAfterItStillGo()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        using var receiver = OpenIn(lab, Client, ProtocolType.Tcp);
        using var sender = OpenIn(lab, Online, ProtocolType.Raw);
        using var outgoing = new MessageBatch(capacity: 8, slotSize: 2048);
        using var incoming = new MessageBatch(capacity: 8, slotSize: 65536);
        var outcome = new Outcome();

        Assert.True(outgoing.TryAdd(Segment(40000, 0), ClientNumber));
        Assert.True(outgoing.TryAdd(Segment(40001, 0, destination: Unroutable), Unroutable));
        Assert.True(outgoing.TryAdd(Segment(40002, 0), ClientNumber));
        outgoing.Send(Fd(sender), outcome);

        Assert.Equal(2, outcome.SentCount);
        Assert.Equal([LinuxErrno.ENETUNREACH], outcome.Errors);
        Assert.Equal([40000, 40002], ReadPorts(receiver, incoming, expected: 2));
    }

    private static byte[] Segment(ushort sourcePort, int payload, uint destination = ClientNumber)
    {
        var packet = new byte[40 + payload];
        SegmentWriter.Write(packet, OnlineNumber, sourcePort, destination, 9, 1, 0, TcpFlags.Ack, 1024, [], new byte[payload], 1);
        return packet;
    }

    private static Socket OpenIn(LabNetwork lab, string role, ProtocolType protocol)
    {
        using (NetworkNamespaceScope.Enter(lab.Name(role)))
        {
            return new Socket(AddressFamily.InterNetwork, SocketType.Raw, protocol);
        }
    }

    private static int Fd(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    private static List<int> ReadPorts(Socket socket, MessageBatch batch, int expected)
    {
        var ports = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (ports.Count < expected && DateTime.UtcNow < deadline)
        {
            var read = batch.Receive(Fd(socket));
            Assert.True(read >= 0, $"recvmmsg failed with errno {-read}");
            for (var i = 0; i < read; i++)
            {
                // The client's own RSTs to these unexpected segments leave the client and are not read here.
                var bytes = batch.Received(i).ToArray();
                Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(bytes, out var packet));
                if (packet.Tcp.DestinationPort == 9)
                {
                    ports.Add(packet.Tcp.SourcePort);
                }
            }

            if (read == 0)
            {
                Thread.Sleep(10);
            }
        }

        return ports;
    }

    private sealed class Outcome : ISendOutcome
    {
        public int SentCount { get; private set; }

        public List<int> Errors { get; } = [];

        public void Sent(int count) => SentCount += count;

        public void Failed(int errno) => Errors.Add(errno);
    }
}
