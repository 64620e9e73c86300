using System.Net;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Tests.Connections;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>
/// Who reads a client's links in a test: their own receive threads, or a <see cref="PollingLoop"/> as a live copy's
/// engine thread does. Declared before the client, so that the client is disposed first and its links let go of the
/// loop's poll before the loop ends.
/// </summary>
internal sealed class LinkReading(bool polled) : IDisposable
{
    public PollingLoop? Poller { get; private set; }

    public InterceptClient StartClient(IPEndPoint server, RecordingSink sink, Action<InterceptClientOptions>? configure = null)
    {
        var client = new InterceptClient([server], ChannelLoopback.FastOptions(configure), sink);
        if (polled)
        {
            Poller = new PollingLoop(client: null, client.ReceiveOnPollingThread());
        }

        client.Start();
        return client;
    }

    public void Dispose() => Poller?.Dispose();
}
