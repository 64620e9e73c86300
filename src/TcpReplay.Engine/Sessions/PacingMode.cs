namespace TcpReplay.Engine.Sessions;

/// <summary>When a copied client segment may go to the target.</summary>
public enum PacingMode
{
    /// <summary>
    /// tcpcopy's default: a new client request goes once the target has answered the previous one. Right for
    /// request/response services whose answers are deterministic (HTTP APIs, RPC).
    /// </summary>
    WaitResponse,

    /// <summary>
    /// Client segments go as soon as they are seen, on the client's own timeline, never waiting for the target;
    /// only the close is held until the target has finished answering (or the drain timeout). Right for streaming
    /// and non-idempotent services (WebSocket, speech recognition with partial results).
    /// </summary>
    Timeline,
}
