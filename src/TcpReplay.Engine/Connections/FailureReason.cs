namespace TcpReplay.Engine.Connections;

/// <summary>
/// Connections of a copy that ended abnormally for the same cause, counted, with one example and the fix.
/// </summary>
/// <param name="CloseReason">Why they ended.</param>
/// <param name="HandshakeFailure">For <see cref="CloseReason.HandshakeFailed"/>, why there was no SYN-ACK; None otherwise.</param>
/// <param name="Count">How many connections ended this way.</param>
/// <param name="ExampleClient">The client endpoint (<c>address:port</c>) of the most recent of them.</param>
/// <param name="Remedy">The close detail of that connection: what happened and how to fix it.</param>
public sealed record FailureReason(CloseReason CloseReason, HandshakeFailure HandshakeFailure, long Count, string ExampleClient, string? Remedy)
{
    /// <summary>
    /// Groups the ended, abnormal connections of <paramref name="connections"/> by cause, most frequent first. Open
    /// connections and normal ends (Completed, CopierReset, ClientReset) and Stopped (the user's own stop) are left out.
    /// </summary>
    public static IReadOnlyList<FailureReason> Summarize(IEnumerable<CopiedConnection> connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        return Ordered(connections
            .Where(c => c.CloseReason.IsFailure())
            .GroupBy(c => (c.CloseReason, c.HandshakeFailure))
            .Select(g =>
            {
                var example = g.MaxBy(c => c.EndTime ?? c.StartTime)!;
                return new FailureReason(g.Key.CloseReason, g.Key.HandshakeFailure, g.LongCount(), example.Client, example.CloseDetail);
            })
            .ToList());
    }

    /// <summary>Most frequent first, then by close reason and handshake failure: the order every summary is shown in.</summary>
    internal static IReadOnlyList<FailureReason> Ordered(IEnumerable<FailureReason> reasons) =>
        [.. reasons.OrderByDescending(r => r.Count).ThenBy(r => r.CloseReason).ThenBy(r => r.HandshakeFailure)];
}
