using System.Net.Sockets;

namespace TcpReplay.Engine.Channel;

/// <summary>Why an intercept link failed: the kind, and the message users see as <see cref="InterceptLinkStatus.LastError"/>.</summary>
internal readonly record struct LinkFailure(LinkFailureKind Kind, string Message)
{
    /// <summary>The copier is stopping: the connect or the connection was given up on purpose.</summary>
    public static LinkFailure Stopped => new(LinkFailureKind.Aborted, "stopped");

    /// <summary>A failure of a receive or send on a connected socket, classified by its error code.</summary>
    public static LinkFailure FromSocketError(SocketError error, string message) => new(Classify(error), message);

    /// <summary>The <see cref="SocketError"/> of a Linux errno from a receive made without .NET's socket calls.</summary>
    internal static SocketError SocketErrorOf(int errno) => errno switch
    {
        104 => SocketError.ConnectionReset,
        32 => SocketError.Shutdown,
        110 => SocketError.TimedOut,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        9 or 22 => SocketError.InvalidArgument,
        _ => SocketError.SocketError,
    };

    /// <summary>
    /// Kestrel's split (SocketConnection): reset, shutdown (EPIPE) and, on Windows, connection-aborted are the peer or
    /// the network dropping the connection; operation-aborted, interrupted and, on Unix, invalid-argument (a call on a
    /// socket disposed under it) are this side's own doing; anything else is unexpected.
    /// </summary>
    internal static LinkFailureKind Classify(SocketError error)
    {
        if (error is SocketError.ConnectionReset or SocketError.Shutdown
            || (error == SocketError.ConnectionAborted && OperatingSystem.IsWindows()))
        {
            return LinkFailureKind.Reset;
        }

        if (error is SocketError.OperationAborted or SocketError.Interrupted
            || (error == SocketError.InvalidArgument && !OperatingSystem.IsWindows()))
        {
            return LinkFailureKind.Aborted;
        }

        return LinkFailureKind.Unexpected;
    }
}
