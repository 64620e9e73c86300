namespace TcpReplay.Engine.Offline;

/// <summary>
/// The two ways a <see cref="PrecisionScheduler"/> lets time pass: a coarse sleep that frees the core, and a yield
/// that keeps it. Tests substitute a fake that moves a fake clock, so the scheduler is tested without sleeping.
/// </summary>
public interface IWaitPrimitives
{
    /// <summary>Sleeps about <paramref name="nanoseconds"/> (the OS may overshoot by its timer slack); the core is free meanwhile.</summary>
    void Sleep(long nanoseconds);

    /// <summary>Gives the core to another ready thread, if any, and returns at once otherwise.</summary>
    void Yield();
}
