namespace TcpReplay.Engine.Channel;

/// <summary>
/// The exact (client address, client port, target address, target port) a route or a live client is known by.
/// C intercept folds these into a 32-bit hash and tolerates collisions (tc_router.c <c>get_route_key</c>);
/// keeping the whole tuple costs a few bytes per session and never misroutes.
/// </summary>
internal readonly record struct ChannelKey(ulong Client, ulong Target)
{
    public static ChannelKey From(uint clientAddress, ushort clientPort, uint targetAddress, ushort targetPort) =>
        new(((ulong)clientAddress << 16) | clientPort, ((ulong)targetAddress << 16) | targetPort);
}
