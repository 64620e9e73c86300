using System.Diagnostics;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelLoopback;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>InterceptServer against a copier written by hand on a raw socket, as C tcpcopy would talk.</summary>
public class InterceptServerWireTests
{
    private const string HelloHex = "00000000 0000 0006 00000000 0000";
    private const string AddHex = "c6130001 9c41 0001 c612001e 1f90"; // 198.19.0.1:40001 → 198.18.0.30:8080

    [Fact]
    public void TheServerSendsCombinedFramesOfEncodedRecordsWithAtMostSixteenRecords()
    {
        using var server = StartServer();
        using var copier = ConnectCopier(server, HelloHex + AddHex);
        Poll.Until(() => server.Routes == 1, "the route");
        var packets = Enumerable.Range(0, 40).Select(i => Response(FakeClient(1), 40001, Ack, seq: (uint)i)).ToArray();

        foreach (var packet in packets)
        {
            server.Route(packet);
        }

        var received = new List<byte[]>();
        var counts = new List<int>();
        while (received.Count < packets.Length)
        {
            int count = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(ReadExactly(copier, 2));
            Assert.InRange(count, 1, ChannelProtocol.MaxCombinedRecords);
            counts.Add(count);
            var body = ReadExactly(copier, count * 64);
            for (var i = 0; i < count; i++)
            {
                received.Add(body.AsSpan(i * 64, 64).ToArray());
            }
        }

        Assert.Contains(counts, c => c > 1);
        for (var i = 0; i < packets.Length; i++)
        {
            var expected = new byte[64];
            ResponseRecord.Encode(packets[i], false, expected);
            Assert.Equal(expected, received[i]);
        }
    }

    [Fact]
    public void FlushingAfterACaptureBatchSendsThePartlyFilledFrameWithoutWaitingForTheTimer()
    {
        // A flush timer far beyond the test: only FlushAll can send a frame that is not full.
        using var server = StartServer(configure: o => o.FlushInterval = TimeSpan.FromSeconds(30));
        using var copier = ConnectCopier(server, HelloHex + AddHex);
        Poll.Until(() => server.Routes == 1, "the route");
        copier.ReceiveTimeout = 5000;

        var started = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            server.Route(Response(FakeClient(1), 40001, Ack, seq: (uint)i));
        }

        server.FlushAll();
        var records = 0;
        while (records < 3)
        {
            int count = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(ReadExactly(copier, 2));
            ReadExactly(copier, count * 64);
            records += count;
        }

        Assert.Equal(3, records);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"the records took {started.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void PlainFramingSendsBareSixtyFourByteRecords()
    {
        using var server = StartServer(configure: o => o.Combined = false);
        using var copier = ConnectCopier(server, HelloHex + AddHex);
        Poll.Until(() => server.Routes == 1, "the route");
        var packet = Response(FakeClient(1), 40001, Syn | Ack);

        server.Route(packet);
        server.Route(packet);

        var expected = new byte[64];
        ResponseRecord.Encode(packet, false, expected);
        Assert.Equal(expected.Concat(expected).ToArray(), ReadExactly(copier, 128));
    }

    [Fact]
    public void AHelloSplitAfterItsFirstEightBytesIsAccepted()
    {
        using var server = StartServer();
        using var copier = ConnectCopier(server, "00000000 0000 0006");
        Thread.Sleep(20);
        copier.Send(Hex("00000000 0000" + AddHex));

        Poll.Until(() => server.Routes == 1, "the route");
        Assert.Equal(0, server.ProtocolErrors);
        Assert.Equal(1, server.ClientRecords);
    }

    [Fact]
    public void ALinkWhoseFirstRecordIsNotAHelloIsClosed()
    {
        using var server = StartServer();
        using var copier = ConnectCopier(server, AddHex);

        Assert.True(ClosedByPeer(copier, Poll.Default), "the server should close the link");
        Assert.Equal(1, server.ProtocolErrors);
        Assert.Equal(0, server.Routes);
        Poll.Until(() => server.Copiers == 0, "the link to be forgotten");
    }

    [Fact]
    public void AHelloWithAnotherVersionIsAcceptedAndCounted()
    {
        using var server = StartServer();
        using var copier = ConnectCopier(server, "00000000 0000 0005 00000000 0000" + AddHex);

        Poll.Until(() => server.Routes == 1, "the route");
        Assert.Equal(1, server.VersionMismatches);
    }

    [Fact]
    public void DeleteAndUnknownRecordsAreCountedAndChangeNoRoute()
    {
        using var server = StartServer();
        using var copier = ConnectCopier(server, HelloHex + AddHex + "c6130001 9c41 0002 c612001e 1f90" + "c6130001 9c41 0063 c612001e 1f90");
        Poll.Until(() => server.ClientRecords == 3, "three records");

        server.Route(Response(FakeClient(1), 40001, Ack));

        Assert.Equal(1, server.DeleteRecords);
        Assert.Equal(1, server.UnknownRecords);
        Assert.Equal(1, server.Routed);
    }

    [Fact]
    public void AClosedCopierLinkNoLongerReceivesAndItsSessionsAreUnrouted()
    {
        using var server = StartServer();
        var copier = ConnectCopier(server, HelloHex + AddHex);
        Poll.Until(() => server.Routes == 1, "the route");

        copier.Dispose();
        Poll.Until(() => server.Copiers == 0, "the link to close");
        server.Route(Response(FakeClient(1), 40001, Ack));

        Assert.Equal(1, server.Unrouted);
        Assert.Equal(0, server.Routed);
    }

    [Fact]
    public void ASlowCopierMakesTheServerDropRecordsInsteadOfBlockingTheCaptureThread()
    {
        using var server = StartServer(configure: o => o.SendBufferBytes = 16 * 1024);
        using var copier = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        copier.Connect(server.LocalEndPoint);
        copier.Send(Hex(HelloHex + AddHex));
        Poll.Until(() => server.Routes == 1, "the route");
        var packet = Response(FakeClient(1), 40001, Ack);

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 300_000 && server.Dropped == 0; i++)
        {
            server.Route(packet);
        }

        Assert.True(server.Dropped > 0, $"nothing dropped after {server.Routed} routed");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Route took {watch.Elapsed}");
    }

    [Fact]
    public void StartingOnATakenPortThrowsASocketExceptionNamingTheEndpoint()
    {
        using var first = StartServer();
        using var second = new InterceptServer(new InterceptServerOptions { Listen = first.LocalEndPoint });

        var ex = Assert.Throws<SocketException>(second.Start);

        Assert.Equal(SocketError.AddressAlreadyInUse, ex.SocketErrorCode);
        Assert.Contains(first.LocalEndPoint.ToString(), ex.Message);
        Assert.Contains("already uses this port", ex.Message);
    }

    [Fact]
    public void StartingTwiceIsRefused()
    {
        using var server = StartServer();

        Assert.Throws<InvalidOperationException>(server.Start);
    }

    private static Socket ConnectCopier(InterceptServer server, string hex)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(server.LocalEndPoint);
        socket.Send(Hex(hex));
        return socket;
    }
}
