using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Live;

/// <summary>Lets the copy engine speak to intercepts through an <see cref="InterceptClient"/>.</summary>
internal sealed class InterceptChannelAdapter(InterceptClient client) : IInterceptChannel
{
    public bool IsConnected => client.IsConnected;

    public void AddClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort) =>
        client.AddClient(fakeAddress, fakePort, targetAddress, targetPort);

    public void RemoveClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort) =>
        client.RemoveClient(fakeAddress, fakePort, targetAddress, targetPort);
}
