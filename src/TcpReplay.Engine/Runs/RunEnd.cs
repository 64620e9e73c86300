namespace TcpReplay.Engine.Runs;

/// <summary>How a run ended without being stopped.</summary>
public enum RunEndKind
{
    /// <summary>It came to its end by itself: an offline replay played its files.</summary>
    Completed,

    /// <summary>It could not go on: its copier process was killed or crashed.</summary>
    Failed,
}

/// <summary>A run that ended without being stopped, and why.</summary>
/// <param name="Kind">Completed or failed.</param>
/// <param name="Reason">What happened, in words (for a failure, what the session reports as its error).</param>
public sealed record RunEnd(RunEndKind Kind, string Reason);
