namespace TcpReplay.Engine.Intercept;

public enum InterceptErrorKind
{
    /// <summary>net.ipv4.ip_forward is 1: the assistant would forward the target's answers instead of swallowing them.</summary>
    IpForwardingEnabled,

    /// <summary>The channel port is taken or cannot be bound.</summary>
    ChannelPortUnavailable,
}

/// <summary>The intercept cannot start; the message names the fix.</summary>
public sealed class InterceptException(InterceptErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public InterceptErrorKind Kind { get; } = kind;
}
