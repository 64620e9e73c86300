using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelLoopback;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>InterceptClient against an intercept written by hand on a raw socket, as C intercept would talk.</summary>
public sealed class InterceptClientWireTests : IDisposable
{
    private const string HelloHex = "00000000 0000 0006 00000000 0000";
    private readonly Socket _listener;

    public InterceptClientWireTests()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
    }

    private IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose() => _listener.Dispose();

    [Fact]
    public void EachLinkStartsWithTheHelloAndAddClientSendsTheAddRecord()
    {
        var sink = new RecordingSink();
        using var client = StartClient(Endpoint, sink, o => o.LinksPerServer = 1);
        using var link = Accept();
        Assert.Equal(Hex(HelloHex), ReadExactly(link, 14));
        WaitConnected(client, 1);

        client.AddClient(FakeClient(1), 40001, Target, TargetPort);

        Assert.Equal(Hex("c6130001 9c41 0001 c612001e 1f90"), ReadExactly(link, 14));
    }

    [Fact]
    public void AddClientTakesTheLinksOfAServerInTurn()
    {
        var sink = new RecordingSink();
        using var client = StartClient(Endpoint, sink, o => o.LinksPerServer = 2);
        using var first = Accept();
        using var second = Accept();
        ReadExactly(first, 14);
        ReadExactly(second, 14);
        WaitConnected(client, 2);

        for (var i = 1; i <= 4; i++)
        {
            client.AddClient(FakeClient(i), (ushort)(40000 + i), Target, TargetPort);
        }

        var ports = ReadExactly(first, 28).Chunk(14).Concat(ReadExactly(second, 28).Chunk(14))
            .Select(r => (r[4] << 8) | r[5]).Order().ToArray();
        Assert.Equal(new[] { 40001, 40002, 40003, 40004 }, ports);
    }

    [Fact]
    public void AddClientGoesToEveryServer()
    {
        using var otherListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        otherListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        otherListener.Listen(4);
        var sink = new RecordingSink();
        using var client = new InterceptClient([Endpoint, (IPEndPoint)otherListener.LocalEndPoint!], FastOptions(o => o.LinksPerServer = 1), sink);
        client.Start();
        using var first = Accept();
        using var second = otherListener.Accept();
        ReadExactly(first, 14);
        ReadExactly(second, 14);
        WaitConnected(client, 2);

        client.AddClient(FakeClient(1), 40001, Target, TargetPort);

        Assert.Equal(ReadExactly(first, 14), ReadExactly(second, 14));
    }

    [Fact]
    public void AClientAddedBeforeTheLinkConnectsIsSentRightAfterTheHello()
    {
        var sink = new RecordingSink();
        using var client = new InterceptClient([Endpoint], FastOptions(o => o.LinksPerServer = 1), sink);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        client.Start();
        using var link = Accept();

        Assert.Equal(Hex(HelloHex + "c6130001 9c41 0001 c612001e 1f90"), ReadExactly(link, 28));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACombinedFrameIsSplitIntoRecordsForTheSinkWithTheServerIndex(bool polled)
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled);
        using var client = reading.StartClient(Endpoint, sink, o => o.LinksPerServer = 1);
        using var link = Accept();
        ReadExactly(link, 14);

        var frame = new byte[2 + 128];
        CombinedFrame.WriteCount(frame, 2);
        ResponseRecord.Encode(Response(FakeClient(1), 40001, Syn | Ack), false, frame.AsSpan(2));
        ResponseRecord.Encode(Response(FakeClient(2), 40002, Ack), false, frame.AsSpan(66));
        link.Send(frame.AsSpan(0, 50));
        Thread.Sleep(20);
        link.Send(frame.AsSpan(50));

        Poll.Until(() => sink.Count == 2, "two records");
        Assert.Equal(frame.AsSpan(2, 64).ToArray(), sink.Records[0].Record);
        Assert.Equal(frame.AsSpan(66, 64).ToArray(), sink.Records[1].Record);
        Assert.All(sink.Records, r => Assert.Equal(0, r.Intercept));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARecordFromCInterceptWithIpOptionsReachesTheSinkWithItsTcpHeaderAtByte20(bool polled)
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled);
        using var client = reading.StartClient(Endpoint, sink, o => o.LinksPerServer = 1);
        using var link = Accept();
        ReadExactly(link, 14);
        var packet = Response(FakeClient(1), 40001, Ack, payloadLength: 7, ipOptions: [1, 1, 1, 0]);
        var frame = new byte[2 + 64];
        frame[1] = 1;
        packet.AsSpan(0, 20).CopyTo(frame.AsSpan(2));
        packet.AsSpan(24, 20).CopyTo(frame.AsSpan(22));

        link.Send(frame);

        Poll.Until(() => sink.Count == 1, "the record");
        var record = sink.Records[0].Record;
        Assert.Equal(0x45, record[0]);
        Assert.Equal(7, ResponseRecord.GetPayloadLength(record));
        Assert.Equal(40001, RecordClientPort(record));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnInvalidRecordIsSkippedAndTheLinkKept(bool polled)
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled);
        using var client = reading.StartClient(Endpoint, sink, o => o.LinksPerServer = 1);
        using var link = Accept();
        ReadExactly(link, 14);
        var frame = new byte[2 + 128];
        CombinedFrame.WriteCount(frame, 2);
        frame[2] = 0x60; // IPv6 version nibble: not a record
        ResponseRecord.Encode(Response(FakeClient(2), 40002, Ack), false, frame.AsSpan(66));

        link.Send(frame);

        Poll.Until(() => sink.Count == 1, "the valid record");
        Assert.Equal(1, client.InvalidRecords);
        Assert.True(client.IsConnected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACombinedCountAboveTheMaximumIsAProtocolErrorThatDropsTheLinkWhichThenReconnects(bool polled)
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled);
        using var client = reading.StartClient(Endpoint, sink, o => o.LinksPerServer = 1);
        using (var bad = Accept())
        {
            ReadExactly(bad, 14);
            bad.Send(Hex("0011").Concat(new byte[17 * 64]).ToArray());
            Assert.True(ClosedByPeer(bad, Poll.Default), "the client should drop the link");
        }

        Assert.Equal(1, client.ProtocolErrors);
        Poll.Until(() => client.Links[0].LastError?.Contains("17 records") == true, "the error to be reported", state: () => $"{client.Links[0].LastError}");
        using var good = Accept();
        Assert.Equal(Hex(HelloHex), ReadExactly(good, 14));
        WaitConnected(client, 1);
        Assert.Equal(1, client.Reconnects);

        var frame = new byte[2 + 64];
        CombinedFrame.WriteCount(frame, 1);
        ResponseRecord.Encode(Response(FakeClient(1), 40001, Ack), false, frame.AsSpan(2));
        good.Send(frame);
        Poll.Until(() => sink.Count == 1, "a record on the new link");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void APayloadVariantCountAboveSixIsAProtocolError(bool polled)
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled);
        using var client = reading.StartClient(Endpoint, sink, o => { o.LinksPerServer = 1; o.WithPayload = true; });
        using var link = Accept();
        ReadExactly(link, 14);

        link.Send(Hex("0007"));

        Assert.True(ClosedByPeer(link, Poll.Default), "the client should drop the link");
        Assert.Equal(1, client.ProtocolErrors);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnInterceptThatClosesTheLinkIsReportedAndReconnected(bool polled)
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled);
        using var client = reading.StartClient(Endpoint, sink, o => o.LinksPerServer = 1);
        using (var first = Accept())
        {
            ReadExactly(first, 14);
            WaitConnected(client, 1);
        }

        using var second = Accept();
        ReadExactly(second, 14);
        WaitConnected(client, 1);
        Assert.Contains(sink.States, s => s.State == InterceptLinkState.Backoff && s.LastError!.Contains("closed the connection"));
        Assert.Equal(2, client.Links[0].Connects);
    }

    [Fact]
    public void PolledLinksDeliverOnThePollingThreadAndHaveNoReadingThreadOfTheirOwn()
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled: true);
        using var client = reading.StartClient(Endpoint, sink, o => o.LinksPerServer = 2);
        using var first = Accept();
        using var second = Accept();
        ReadExactly(first, 14);
        ReadExactly(second, 14);
        WaitConnected(client, 2);

        var frame = new byte[2 + 64];
        CombinedFrame.WriteCount(frame, 1);
        ResponseRecord.Encode(Response(FakeClient(1), 40001, Ack), false, frame.AsSpan(2));
        first.Send(frame);
        second.Send(frame);

        Poll.Until(() => sink.Count == 2, "a record from each link");
        Assert.Equal([reading.Poller!.ThreadId], sink.DeliveringThreads);
    }

    [Fact]
    public void DisposingAPolledClientEndsItsLinksWhileThePollerWaitsOnThem()
    {
        var sink = new RecordingSink();
        using var reading = new LinkReading(polled: true);
        var client = reading.StartClient(Endpoint, sink, o => o.LinksPerServer = 2);
        using var first = Accept();
        using var second = Accept();
        WaitConnected(client, 2);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        client.Dispose();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"Dispose took {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.All(client.Links, l => Assert.Equal(InterceptLinkState.Stopped, l.State));
        Assert.True(ClosedByPeer(first, Poll.Default) && ClosedByPeer(second, Poll.Default), "both links should be closed");
    }

    [Fact]
    public void TheLinksCannotBeHandedToAPollerOnceTheyRun()
    {
        using var client = StartClient(Endpoint, new RecordingSink(), o => o.LinksPerServer = 1);

        Assert.Throws<InvalidOperationException>(() => client.ReceiveOnPollingThread());
    }

    [Fact]
    public void ServersThatAreNotIpv4AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new InterceptClient([new IPEndPoint(IPAddress.IPv6Loopback, 1)], new InterceptClientOptions(), new RecordingSink()));
        Assert.Throws<ArgumentException>(() => new InterceptClient([], new InterceptClientOptions(), new RecordingSink()));
    }

    private Socket Accept()
    {
        using var cts = new CancellationTokenSource(Poll.Default);
        var socket = _listener.AcceptAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        socket.NoDelay = true;
        return socket;
    }
}
