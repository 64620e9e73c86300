namespace TcpReplay.Engine.Channel;

/// <summary>
/// Receives what an <see cref="InterceptClient"/> reads from its intercept links. Both methods are called on the
/// client's link threads, several links concurrently, so implementations must be thread-safe and must not block
/// for long: a slow sink stalls that link's socket and, behind it, intercept's sender.
/// </summary>
public interface IResponseSink
{
    /// <summary>One response record in canonical form (<see cref="ResponseRecord"/>).</summary>
    /// <param name="record">
    /// 64 bytes (192 with payload), starting with the IPv4 header (IHL 5, TCP header at byte 20). The span borrows
    /// the link's receive buffer and is valid only during the call: copy what must outlive it.
    /// </param>
    /// <param name="interceptIndex">Index of the intercept in the server list given to the client.</param>
    void OnResponse(ReadOnlySpan<byte> record, int interceptIndex);

    /// <summary>A link changed state (connecting, connected, backing off, stopped).</summary>
    void OnLinkStateChanged(InterceptLinkStatus status);
}
