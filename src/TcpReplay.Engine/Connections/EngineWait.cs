namespace TcpReplay.Engine.Connections;

/// <summary>How long the engine thread sleeps for its next timer when no packet wakes it first.</summary>
/// <remarks>
/// The sleep is <see cref="Monitor.Wait(object, TimeSpan)"/> on the engine's queue, which counts whole milliseconds and
/// truncates: a timer due in less than one would make every wait return at once, and the engine would spin through
/// the wait machinery until the timer is due. Under load some timer is nearly always that close (every connection's
/// retransmission and delayed-ACK timers, and the superseded entries left in the timer queue until their time), so
/// the engine thread spun most of its idle time (docs/benchmarks.md, Session 12). The engine's timers count in
/// milliseconds (delayed ACKs, retransmissions, holds, handshake retries), so it sleeps to the next whole millisecond
/// instead: a timer runs at most a millisecond late, and a packet still wakes the engine at once.
/// </remarks>
internal static class EngineWait
{
    private const long NanosecondsPerMillisecond = 1_000_000;

    /// <summary>The longest sleep: the stop flag and the once-a-second sweep are looked at no less often.</summary>
    internal const long MaxNanoseconds = 50 * NanosecondsPerMillisecond;

    /// <summary>The wait for a timer due in <paramref name="dueInNanoseconds"/> (zero or less: due now).</summary>
    public static TimeSpan Until(long dueInNanoseconds)
    {
        if (dueInNanoseconds <= 0)
        {
            return TimeSpan.Zero;
        }

        var milliseconds = (Math.Min(dueInNanoseconds, MaxNanoseconds) + NanosecondsPerMillisecond - 1) / NanosecondsPerMillisecond;
        return TimeSpan.FromMilliseconds(milliseconds);
    }
}
