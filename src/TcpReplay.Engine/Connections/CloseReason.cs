namespace TcpReplay.Engine.Connections;

/// <summary>Why a copied connection ended. Each value is set in one place of the connection machine.</summary>
public enum CloseReason
{
    /// <summary>Still open.</summary>
    None,

    /// <summary>FIN both ways with the target, the copier's FIN acknowledged: a clean end.</summary>
    Completed,

    /// <summary>
    /// Normal fast release: the online side had closed and the copier reset the target's socket (its TIME_WAIT, or a
    /// half-closed socket the target kept open) so the fake endpoint can be used again at once. Not an error.
    /// </summary>
    CopierReset,

    /// <summary>The real client reset its connection to the online server; the copier passed the RST on. Not an error.</summary>
    ClientReset,

    /// <summary>The target reset an established connection on its own.</summary>
    TargetReset,

    /// <summary>No SYN-ACK from the target: see <see cref="HandshakeFailure"/> for the cause.</summary>
    HandshakeFailed,

    /// <summary>Idle or total time limit reached, or the target stopped acknowledging data.</summary>
    Timeout,

    /// <summary>
    /// The capture missed a client segment (the client's sequence space jumped): the copy was reset and a new copy
    /// opened at the next client segment, instead of freezing the connection.
    /// </summary>
    CaptureGap,

    /// <summary>The connection table was full; the oldest idle connection made room.</summary>
    Evicted,

    /// <summary>No intercept was connected when the connection began, so the target's answers could not come back.</summary>
    InterceptUnavailable,

    /// <summary>The copy was stopped while the connection was open; the copier reset it at the target.</summary>
    Stopped,

    /// <summary>
    /// The handshake completed but the target acknowledged none of the data: its kernel dropped the segments (bad
    /// checksums, segments beyond the path MTU, a firewall or IPS). The copier gave up after a few retransmissions
    /// instead of retransmitting until the copy stops.
    /// </summary>
    DataNotAcknowledged,
}
