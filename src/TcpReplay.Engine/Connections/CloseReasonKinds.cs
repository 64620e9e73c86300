namespace TcpReplay.Engine.Connections;

/// <summary>
/// How a close reason counts in a copy's totals: a normal end, a failure to explain, or neither (still open, or the
/// user's own stop). The session's counts, its failure summary and each connection's record use this one rule.
/// </summary>
public static class CloseReasonKinds
{
    /// <summary>Completed, CopierReset (the copier's normal fast release) or ClientReset (passed on from the real client).</summary>
    public static bool IsNormal(this CloseReason reason) => reason is CloseReason.Completed or CloseReason.CopierReset or CloseReason.ClientReset;

    /// <summary>An end that needs a reason: not open, not normal, and not <see cref="CloseReason.Stopped"/> (the user stopped the copy).</summary>
    public static bool IsFailure(this CloseReason reason) => reason is not (CloseReason.None or CloseReason.Stopped) && !reason.IsNormal();
}
