using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelLoopback;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>Dispose is bounded whatever the state of the links.</summary>
public class DisposeTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Fact]
    public void ClientDisposeReturnsWithinTwoSecondsWhileAConnectAttemptHangs()
    {
        using var blackHole = FullBacklogListener(out var endPoint, out var fillers);
        try
        {
            var sink = new RecordingSink();
            var client = StartClient(endPoint, sink, o => { o.LinksPerServer = 2; o.ConnectTimeout = TimeSpan.FromSeconds(30); });
            Thread.Sleep(200);
            Assert.All(client.Links, l => Assert.Equal(InterceptLinkState.Connecting, l.State));

            AssertQuick(client.Dispose);

            Assert.All(client.Links, l => Assert.Equal(InterceptLinkState.Stopped, l.State));
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public void ClientDisposeReturnsWithinTwoSecondsWhileBackingOff()
    {
        var sink = new RecordingSink();
        var client = StartClient(new IPEndPoint(IPAddress.Loopback, FreePort()), sink, o => { o.MinBackoff = TimeSpan.FromSeconds(30); o.MaxBackoff = TimeSpan.FromSeconds(30); });
        Poll.Until(() => client.Links.All(l => l.State == InterceptLinkState.Backoff), "both links backing off");

        AssertQuick(client.Dispose);

        Assert.All(client.Links, l => Assert.Equal(InterceptLinkState.Stopped, l.State));
    }

    [Fact]
    public void ClientDisposeReturnsWithinTwoSecondsWhileConnected()
    {
        using var server = StartServer();
        var sink = new RecordingSink();
        var client = StartClient(server.LocalEndPoint, sink);
        WaitConnected(client, 2);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);

        AssertQuick(client.Dispose);

        Assert.False(client.IsConnected);
        Poll.Until(() => server.Copiers == 0, "the server to see the links close");
    }

    [Fact]
    public void ClientDisposeBeforeStartAndTwiceIsQuick()
    {
        var client = new InterceptClient([new IPEndPoint(IPAddress.Loopback, 1)], new InterceptClientOptions(), new RecordingSink());

        AssertQuick(client.Dispose);
        AssertQuick(client.Dispose);
        Assert.Throws<ObjectDisposedException>(client.Start);
    }

    [Fact]
    public void ServerDisposeReturnsWithinTwoSecondsWithCopiersConnected()
    {
        var server = StartServer();
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink);
        WaitConnected(client, 2);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Connect(server.LocalEndPoint);
        Poll.Until(() => server.Copiers == 3, "three copier links");

        AssertQuick(server.Dispose);

        Poll.Until(() => !client.IsConnected, "the client to see the server go");
    }

    [Fact]
    public void ServerDisposeWhileAnotherThreadRoutesIsSafe()
    {
        var server = StartServer();
        var sink = new RecordingSink();
        using var client = StartClient(server.LocalEndPoint, sink);
        WaitConnected(client, 2);
        client.AddClient(FakeClient(1), 40001, Target, TargetPort);
        Poll.Until(() => server.Routes == 1, "the route");
        var packet = Response(FakeClient(1), 40001, Ack);
        using var stop = new CancellationTokenSource();
        var router = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                server.Route(packet);
            }
        });
        router.Start();
        Thread.Sleep(50);

        AssertQuick(server.Dispose);

        stop.Cancel();
        Assert.True(router.Join(Budget));
    }

    [Fact]
    public void ServerDisposeBeforeStartIsQuick()
    {
        var server = new InterceptServer(new InterceptServerOptions());

        AssertQuick(server.Dispose);
        Assert.Throws<ObjectDisposedException>(server.Start);
    }

    private static void AssertQuick(Action dispose)
    {
        var watch = Stopwatch.StartNew();
        dispose();
        Assert.True(watch.Elapsed < Budget, $"Dispose took {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>
    /// A listener whose accept queue is full, so a further SYN is dropped and connect() hangs: the loopback stand-in
    /// for an intercept host that does not answer.
    /// </summary>
    private static Socket FullBacklogListener(out IPEndPoint endPoint, out List<Socket> fillers)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        endPoint = (IPEndPoint)listener.LocalEndPoint!;
        fillers = [];
        for (var i = 0; i < 16; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                filler.ConnectAsync(endPoint, cts.Token).AsTask().GetAwaiter().GetResult();
                fillers.Add(filler);
            }
            catch (OperationCanceledException)
            {
                filler.Dispose();
                return listener;
            }
        }

        Assert.Fail("could not fill the accept queue of a loopback listener");
        return listener;
    }
}
