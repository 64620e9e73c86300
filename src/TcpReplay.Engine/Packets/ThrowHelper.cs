using System.Diagnostics.CodeAnalysis;

namespace TcpReplay.Engine.Packets;

// Throws live here so the hot methods that call them stay small enough to inline.
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowNotIpv4()
        => throw new InvalidOperationException("The packet is not IPv4; this rewrite needs an IPv4 header.");

    [DoesNotReturn]
    public static void ThrowAddressLength(string paramName)
        => throw new ArgumentException("An IPv6 address must be exactly 16 bytes.", paramName);

    [DoesNotReturn]
    public static void ThrowUnknownAddressFamily(string paramName)
        => throw new ArgumentException("Only IPv4 and IPv6 addresses are supported.", paramName);
}
