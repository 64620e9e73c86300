using System.Diagnostics.CodeAnalysis;

namespace TcpReplay.Engine.Channel;

/// <summary>Keeps throw sites out of the small hot methods of the channel so they stay inlinable.</summary>
internal static class ChannelThrowHelper
{
    [DoesNotReturn]
    public static void ThrowDestinationTooShort(string paramName, int needed) =>
        throw new ArgumentException($"The destination must hold at least {needed} bytes.", paramName);

    [DoesNotReturn]
    public static void ThrowAlreadyStarted(string what) =>
        throw new InvalidOperationException($"{what} has already been started.");
}
