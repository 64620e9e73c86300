using static TcpReplay.Engine.Tests.Channel.ChannelLoopback;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

public class AllocationTests
{
    [Fact]
    public void RoutingAResponseToACopierAllocatesNothingOnTheCaptureThread()
    {
        using var server = StartServer();
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink, o => o.LinksPerServer = 1);
        WaitConnected(client, 1);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");
        var packet = Response(FakeClient(1), 40001, Ack);
        var unrouted = Response(FakeClient(2), 40002, Ack);
        for (var i = 0; i < 100; i++)
        {
            server.Route(packet);
            server.Route(unrouted);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            server.Route(packet);
            server.Route(unrouted);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
