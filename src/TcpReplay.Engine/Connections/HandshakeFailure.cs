namespace TcpReplay.Engine.Connections;

/// <summary>The cause of a <see cref="CloseReason.HandshakeFailed"/>.</summary>
public enum HandshakeFailure
{
    None,

    /// <summary>The target answered the SYN with RST: nothing listens on the target port, or a firewall rejects.</summary>
    TargetRefused,

    /// <summary>
    /// The fake client address answered ARP on the target's segment: a real host owns it, receives the target's
    /// SYN-ACK and answers with RST, so the intercept never sees it.
    /// </summary>
    BystanderReset,

    /// <summary>The target has answered nothing at all on any connection: its route to the fake network, or the intercept's capture, is missing.</summary>
    NoResponseAtAll,

    /// <summary>No SYN-ACK came back for this connection within the handshake time, while others did.</summary>
    NoSynAck,
}
