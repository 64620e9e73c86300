namespace TcpReplay.Engine.Runs;

/// <summary>Something notable that happened to a run, in words, when it happened.</summary>
/// <param name="Time">When, in UTC.</param>
/// <param name="Kind">What it is about.</param>
/// <param name="Message">What happened, and the fix where there is one.</param>
public sealed record RunEvent(DateTime Time, RunEventKind Kind, string Message)
{
    /// <summary>The time of day and the message, the way a log line reads (and the form -join and -match see).</summary>
    public override string ToString() => $"{Time:HH:mm:ss.fff} {Message}";
}
