using System.Net;
using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelLoopback;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>InterceptServer and InterceptClient talking to each other over 127.0.0.1.</summary>
public class InterceptLoopbackTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    [Fact]
    public void AnAddRoutesResponsesToTheCopierThatSentItAmongTwoCopiers()
    {
        using var server = StartServer();
        var sinkA = new RecordingSink();
        var sinkB = new RecordingSink();
        using var copierA = StartClient(server.LocalEndPoint, sinkA);
        using var copierB = StartClient(server.LocalEndPoint, sinkB);
        WaitConnected(copierA, 2);
        WaitConnected(copierB, 2);

        copierA.AddClient(FakeClient(1), 40001, Target, TargetPort);
        copierB.AddClient(FakeClient(2), 40002, Target, TargetPort);
        Poll.Until(() => server.Routes == 2, "both routes", state: () => $"routes {server.Routes}");

        for (var i = 0; i < 3; i++)
        {
            server.Route(Response(FakeClient(1), 40001, Ack, seq: (uint)i));
        }

        for (var i = 0; i < 2; i++)
        {
            server.Route(Response(FakeClient(2), 40002, Ack, seq: (uint)i));
        }

        Poll.Until(() => sinkA.Count == 3 && sinkB.Count == 2, "3 records at A and 2 at B", state: () => $"A {sinkA.Count}, B {sinkB.Count}");
        Poll.Never(() => sinkA.Count > 3 || sinkB.Count > 2, "no record is delivered twice", Quiet);
        Assert.All(sinkA.ClientPorts, p => Assert.Equal(40001, p));
        Assert.All(sinkB.ClientPorts, p => Assert.Equal(40002, p));
        Assert.Equal(5, server.Routed);
        Assert.Equal(0, server.Unrouted);
        Assert.Equal(5, copierA.RecordsReceived + copierB.RecordsReceived);
    }

    [Fact]
    public void TheLastAddWinsWhenTwoCopiersAnnounceTheSameSession()
    {
        using var server = StartServer();
        var sinkA = new RecordingSink();
        var sinkB = new RecordingSink();
        using var copierA = StartClient(server.LocalEndPoint, sinkA, o => o.LinksPerServer = 1);
        using var copierB = StartClient(server.LocalEndPoint, sinkB, o => o.LinksPerServer = 1);
        WaitConnected(copierA, 1);
        WaitConnected(copierB, 1);

        copierA.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.ClientRecords == 1, "A's ADD");
        copierB.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.ClientRecords == 2, "B's ADD");
        server.Route(Response(FakeClient(1), 40001, Ack));

        Poll.Until(() => sinkB.Count == 1, "the record at B");
        Assert.Equal(0, sinkA.Count);
    }

    [Fact]
    public void TheLinkSocketStaysInBlockingModeSoItsReadsNeverGoThroughTheThreadPool()
    {
        using var server = StartServer();
        var sink = new RecordingSink();
        using var copier = StartClient(server.LocalEndPoint, sink, o => o.LinksPerServer = 1);
        WaitConnected(copier, 1);
        copier.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.ClientRecords == 1, "the ADD");
        server.Route(Response(FakeClient(1), 40001, Ack));
        Poll.Until(() => sink.Count == 1, "the record");

        var socket = copier.AllLinks.Single().CurrentSocket;
        Assert.NotNull(socket);
        var flags = File.ReadAllLines($"/proc/self/fdinfo/{socket.Handle}")
            .Single(line => line.StartsWith("flags:", StringComparison.Ordinal));
        var value = Convert.ToInt32(flags["flags:".Length..].Trim(), 8);
        const int NonBlocking = 0x800; // O_NONBLOCK: set once .NET has run an async operation on the socket
        Assert.Equal(0, value & NonBlocking);
    }

    [Fact]
    public void AClientStartedBeforeItsServerConnectsOnceTheServerComesUpAndCountsAReconnect()
    {
        var port = FreePort();
        var sink = new RecordingSink();
        using var client = StartClient(new IPEndPoint(IPAddress.Loopback, port), sink, o => o.LinksPerServer = 1);
        Poll.Until(() => client.Links[0].Failures >= 1 && client.Links[0].State == InterceptLinkState.Backoff, "a failed attempt");
        Assert.False(client.IsConnected);
        Assert.Contains("ConnectionRefused", client.Links[0].LastError);

        using var server = StartServer(port);

        WaitConnected(client, 1);
        Assert.True(client.IsConnected);
        Assert.Equal(1, client.Reconnects);
        Assert.Equal(1, client.Links[0].Connects);
        Assert.NotNull(client.Links[0].ConnectedSince);
        Assert.Contains(sink.States, s => s.State == InterceptLinkState.Backoff);
        Poll.Until(() => sink.States[^1].State == InterceptLinkState.Connected, "the sink to hear of the connection");
    }

    [Fact]
    public void AServerRestartIsSurvivedAndLiveClientsAreAnnouncedAgain()
    {
        var sink = new RecordingSink();
        var first = StartServer();
        var endPoint = first.LocalEndPoint;
        using var client = StartClient(endPoint, sink);
        InterceptServer? second = null;
        try
        {
            WaitConnected(client, 2);
            client.AddClient(FakeClient(1), 40001, Target, TargetPort);
            client.AddClient(FakeClient(2), 40002, Target, TargetPort);
            client.RemoveClient(FakeClient(2), 40002, Target, TargetPort);
            Poll.Until(() => first.Routes == 2, "both routes on the first server");

            first.Dispose();
            Poll.Until(() => !client.IsConnected, "the client to notice the restart");
            second = StartServer(endPoint.Port);

            WaitConnected(client, 2);
            Poll.Until(() => second.Routes == 1, "the live client announced again", state: () => $"routes {second.Routes}");
            second.Route(Response(FakeClient(1), 40001, Ack));
            second.Route(Response(FakeClient(2), 40002, Ack));

            Poll.Until(() => sink.Count == 1, "the live client's response");
            Assert.Equal(40001, sink.ClientPorts[0]);
            Assert.Equal(1, second.Unrouted);
            Assert.True(client.Reconnects >= 2, $"reconnects {client.Reconnects}");
            Assert.Equal(1, client.LiveClients);
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    [Theory]
    [InlineData(Syn | Ack)]
    [InlineData(Rst)]
    [InlineData(Rst | Ack)]
    public void AnUnroutedSynOrRstIsParkedAndDeliveredAfterALateAdd(byte flags)
    {
        using var server = StartServer();
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink);
        WaitConnected(client, 2);

        server.Route(Response(FakeClient(7), 40007, flags));
        server.Route(Response(FakeClient(7), 40007, Ack));

        Assert.Equal(1, server.Parked);
        Assert.Equal(1, server.ParkedNow);
        Assert.Equal(1, server.Unrouted);
        Poll.Never(() => sink.Count > 0, "nothing is sent before the ADD", Quiet);

        client.AddClient(FakeClient(7), 40007, Target, TargetPort);

        Poll.Until(() => sink.Count == 1, "the parked record");
        Assert.Equal(flags, RecordFlags(sink.Records[0].Record));
        Assert.Equal(1, server.ParkedDelivered);
        Assert.Equal(0, server.ParkedNow);
    }

    [Fact]
    public void ParkedRecordsGoOutInArrivalOrderBeforeLaterResponses()
    {
        using var server = StartServer();
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.LinksPerServer = 1);
        WaitConnected(client, 1);

        server.Route(Response(FakeClient(7), 40007, Syn | Ack, seq: 1));
        server.Route(Response(FakeClient(7), 40007, Syn | Ack, seq: 2));
        client.AddClient(FakeClient(7), 40007, Target, TargetPort);
        Poll.Until(() => server.ParkedDelivered == 2, "the parked records");
        server.Route(Response(FakeClient(7), 40007, Ack, seq: 3));

        Poll.Until(() => sink.Count == 3, "three records");
        Assert.Equal(new uint[] { 1, 2, 3 }, sink.Records.Select(r => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(r.Record.AsSpan(24))).ToArray());
    }

    [Fact]
    public void AParkedSynIsDroppedWhenItsParkTimePasses()
    {
        using var server = StartServer(configure: o => o.ParkTime = TimeSpan.FromMilliseconds(100));
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink);
        WaitConnected(client, 2);

        server.Route(Response(FakeClient(7), 40007, Syn | Ack));
        Poll.Until(() => server.ParkedExpired == 1, "the park time to pass");
        client.AddClient(FakeClient(7), 40007, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the late ADD");

        Poll.Never(() => sink.Count > 0, "an expired record is never delivered", Quiet);
        Assert.Equal(0, server.ParkedNow);
    }

    [Fact]
    public void WhenParkingIsFullTheOldestRecordMakesRoom()
    {
        using var server = StartServer(configure: o => o.MaxParked = 2);
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.LinksPerServer = 1);
        WaitConnected(client, 1);

        for (var i = 1; i <= 3; i++)
        {
            server.Route(Response(FakeClient(i), (ushort)(40000 + i), Syn | Ack));
        }

        Assert.Equal(1, server.ParkedEvicted);
        Assert.Equal(2, server.ParkedNow);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        client.AddClient(FakeClient(3), 40003, Target, TargetPort);
        Poll.Until(() => sink.Count == 1, "the newest parked record");
        Poll.Never(() => sink.Count > 1, "the evicted record is gone", Quiet);
        Assert.Equal(40003, sink.ClientPorts[0]);
    }

    [Fact]
    public void PlainFramingWithoutCombiningDeliversEveryRecord()
    {
        using var server = StartServer(configure: o => o.Combined = false);
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.Combined = false);
        WaitConnected(client, 2);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");

        for (var i = 0; i < 50; i++)
        {
            server.Route(Response(FakeClient(1), 40001, Ack, seq: (uint)i));
        }

        Poll.Until(() => sink.Count == 50, "50 records", state: () => $"{sink.Count}");
    }

    [Fact]
    public void PayloadRecordsCarryAShortResponsePayloadEndToEnd()
    {
        using var server = StartServer(configure: o => o.WithPayload = true);
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.WithPayload = true);
        WaitConnected(client, 2);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Response(FakeClient(1), 40001, Ack | Psh, payloadLength: 12));

        Poll.Until(() => sink.Count == 1, "the record");
        var record = sink.Records[0].Record;
        Assert.Equal(ChannelProtocol.ResponseRecordWithPayloadSize, record.Length);
        Assert.True(ResponseRecord.TryGetPayload(record, out var payload));
        Assert.Equal("abcdefghijkl"u8.ToArray(), payload.ToArray());
    }

    [Fact]
    public void ABurstOfResponsesArrivesCompleteAndInOrderThroughCombinedFrames()
    {
        const int Count = 2000;
        using var server = StartServer();
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.LinksPerServer = 1);
        WaitConnected(client, 1);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");

        for (var i = 0; i < Count; i++)
        {
            server.Route(Response(FakeClient(1), 40001, Ack, seq: (uint)i));
        }

        Poll.Until(() => sink.Count == Count, $"{Count} records", state: () => $"{sink.Count}, dropped {server.Dropped}");
        var seqs = sink.Records.Select(r => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(r.Record.AsSpan(24))).ToArray();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (uint)i), seqs);
        Assert.Equal(0, client.ProtocolErrors);
    }

    [Fact]
    public void IgnoringTheTargetAddressRoutesResponsesFromAnotherSourceAddress()
    {
        using var server = StartServer(configure: o => o.IgnoreTargetAddress = true);
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.LinksPerServer = 1);
        WaitConnected(client, 1);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Response(FakeClient(1), 40001, Ack, target: Address("198.18.0.31")));

        Poll.Until(() => sink.Count == 1, "the record from the DNAT'd address");
    }

    [Fact]
    public void AResponseFromAnotherTargetAddressIsUnroutedByDefault()
    {
        using var server = StartServer();
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.LinksPerServer = 1);
        WaitConnected(client, 1);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Response(FakeClient(1), 40001, Ack, target: Address("198.18.0.31")));

        Assert.Equal(1, server.Unrouted);
    }

    [Fact]
    public void ASinkThatThrowsIsCountedAndTheLinkKeepsDelivering()
    {
        using var server = StartServer();
        var sink = new ThrowingOnceSink();
        using var client = new InterceptClient([server.LocalEndPoint], FastOptions(o => o.LinksPerServer = 1), sink);
        client.Start();
        WaitConnected(client, 1);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");

        server.Route(Response(FakeClient(1), 40001, Ack));
        server.Route(Response(FakeClient(1), 40001, Ack));

        Poll.Until(() => sink.Delivered == 1, "the second record");
        Assert.Equal(1, client.SinkErrors);
        Assert.IsType<InvalidOperationException>(client.LastSinkException);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public void PacketsThatAreNotIpv4TcpAreCountedAndNotSent()
    {
        using var server = StartServer();

        server.Route(new byte[10]);
        server.Route(Hex("6000000000000000"));

        Assert.Equal(2, server.InvalidPackets);
        Assert.Equal(0, server.Routed);
    }

    private sealed class ThrowingOnceSink : IResponseSink
    {
        private int _calls;
        private int _delivered;

        public int Delivered => Volatile.Read(ref _delivered);

        public void OnResponse(ReadOnlySpan<byte> record, int interceptIndex)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new InvalidOperationException("sink bug");
            }

            Interlocked.Increment(ref _delivered);
        }

        public void OnLinkStateChanged(InterceptLinkStatus status)
        {
        }
    }
}
