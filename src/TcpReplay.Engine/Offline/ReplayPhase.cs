namespace TcpReplay.Engine.Offline;

/// <summary>Where an offline replay is.</summary>
public enum ReplayPhase
{
    /// <summary>Not started.</summary>
    NotStarted,

    /// <summary>Waiting (bounded) for an intercept link before the first connection, so the target's answers can come back.</summary>
    WaitingForIntercept,

    /// <summary>Playing the capture's timeline.</summary>
    Replaying,

    /// <summary>Every client packet is handed over; waiting for the last connections to finish with the target.</summary>
    Draining,

    /// <summary>Done: every packet played and every connection ended.</summary>
    Completed,

    /// <summary>Stopped before the end.</summary>
    Stopped,
}
