namespace TcpReplay.Engine.Connections;

/// <summary>When a copied client segment may go to the target.</summary>
public enum PacingMode
{
    /// <summary>
    /// tcpcopy's default: a new client request goes once the target has answered the previous one. Right for
    /// request/response services whose answers are deterministic (HTTP APIs, RPC).
    /// </summary>
    WaitResponse,

    /// <summary>
    /// The default: client data goes on the client's own timeline, except data the client sent because of an answer
    /// (a message right after a reply that ended its silence, a WebSocket Close after the final result), which waits
    /// until the target has given its own answer, bounded by the response wait timeout; the close is held as with
    /// Timeline. HTTP/1.x requests never wait (servers answer pipelined requests in order). docs/pacing.md has the rule.
    /// </summary>
    Causal,

    /// <summary>
    /// Client segments go as soon as they are seen, on the client's own timeline, never waiting for the target;
    /// only the close is held until the target has finished answering (or the drain timeout). A client's WebSocket
    /// Close frame is data and goes on the timeline, so it can reach a slower target before its last answer.
    /// </summary>
    Timeline,
}
