using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>Starts servers and clients on 127.0.0.1 with ephemeral ports and short backoffs.</summary>
internal static class ChannelLoopback
{
    public static InterceptServer StartServer(int port = 0, Action<InterceptServerOptions>? configure = null)
    {
        var options = new InterceptServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, port) };
        configure?.Invoke(options);
        var server = new InterceptServer(options);
        try
        {
            server.Start();
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    public static InterceptClient StartClient(IPEndPoint server, RecordingSink sink, Action<InterceptClientOptions>? configure = null)
    {
        var client = new InterceptClient([server], FastOptions(configure), sink);
        client.Start();
        return client;
    }

    public static InterceptClientOptions FastOptions(Action<InterceptClientOptions>? configure = null)
    {
        var options = new InterceptClientOptions
        {
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
            ConnectTimeout = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public static void WaitConnected(InterceptClient client, int links)
    {
        Poll.Until(
            () => client.Links.Count(l => l.State == InterceptLinkState.Connected) >= links,
            $"{links} connected link(s)",
            state: () => string.Join("; ", client.Links.Select(l => $"{l.State} {l.LastError}")));
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes or fails at the deadline.</summary>
    public static byte[] ReadExactly(Socket socket, int count, TimeSpan? timeout = null)
    {
        var buffer = new byte[count];
        socket.ReceiveTimeout = (int)(timeout ?? Poll.Default).TotalMilliseconds;
        var read = 0;
        while (read < count)
        {
            var n = socket.Receive(buffer, read, count - read, SocketFlags.None);
            Assert.True(n > 0, $"the peer closed the connection after {read} of {count} bytes");
            read += n;
        }

        return buffer;
    }

    /// <summary>True when the peer closes the connection within the timeout (any data before that is discarded).</summary>
    public static bool ClosedByPeer(Socket socket, TimeSpan timeout)
    {
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        var buffer = new byte[4096];
        try
        {
            while (socket.Receive(buffer) > 0)
            {
            }

            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
        {
            return false;
        }
    }
}
