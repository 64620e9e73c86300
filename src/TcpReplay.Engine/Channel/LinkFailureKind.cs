namespace TcpReplay.Engine.Channel;

/// <summary>
/// Why an intercept link failed or ended. Kestrel's socket transport splits a connection's end the same way: reset by
/// the peer or the network, aborted by this side, a peer that broke the protocol, and the unexpected rest.
/// </summary>
public enum LinkFailureKind
{
    /// <summary>The connect did not succeed: refused, unreachable or timed out.</summary>
    ConnectFailed,

    /// <summary>The intercept closed the connection in order (end of stream).</summary>
    Closed,

    /// <summary>The connection was reset or broke under a receive or a send (ECONNRESET, EPIPE).</summary>
    Reset,

    /// <summary>This side ended it: the copier stopped, or the socket was closed under the call.</summary>
    Aborted,

    /// <summary>The intercept sent bytes that break the protocol, such as a combined frame with too many records.</summary>
    ProtocolError,

    /// <summary>Any other socket error.</summary>
    Unexpected,
}
