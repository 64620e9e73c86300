namespace TcpReplay.Engine.Offline;

/// <summary>
/// The two ways a <see cref="PrecisionScheduler"/> lets time pass: a sleep that frees the core, and a short spin
/// that keeps it. Tests substitute a fake that moves a fake clock, so the scheduler is tested without sleeping.
/// </summary>
public interface IWaitPrimitives
{
    /// <summary>Sleeps about <paramref name="nanoseconds"/> (the OS may overshoot by its timer slack); the core is free meanwhile.</summary>
    void Sleep(long nanoseconds);

    /// <summary>
    /// Burns well under a microsecond without giving the core away: on a loaded machine a yield (sched_yield) can hand
    /// the core to another thread for a whole time slice, milliseconds past the deadline.
    /// </summary>
    void Spin();
}
