namespace TcpReplay.Engine.Connections;

internal enum ConnectionPhase
{
    /// <summary>Created; no SYN sent yet.</summary>
    New,

    /// <summary>The copier's SYN is out, waiting for the target's SYN-ACK.</summary>
    SynSent,

    /// <summary>Handshake done: client segments flow to the target.</summary>
    Established,

    /// <summary>
    /// The copy has ended but the client's connection has not: its remaining packets are absorbed here, so that
    /// a failed connection is not re-opened (and failed again) for every packet the client still sends.
    /// </summary>
    Ended,
}
