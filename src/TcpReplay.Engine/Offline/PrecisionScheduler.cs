using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// Waits until a monotonic deadline with sub-millisecond precision without burning a core while idle: it sleeps until
/// <see cref="SpinWindowNanoseconds"/> before the deadline (the core is free), then spins until the deadline has
/// passed (no yield: under load a yield can give the core away for a whole time slice). A timeline of sparse packets therefore costs almost no CPU; a dense one (packets less than
/// the spin window apart) keeps the sending thread busy, which is what meeting it takes.
/// </summary>
/// <remarks>
/// Times are nanoseconds of <see cref="TimeProvider.GetTimestamp"/> converted by <see cref="Now"/>. Not thread-safe:
/// one scheduler belongs to the one thread that sends. The lateness of each wait (how long after the deadline it
/// returned) is kept in <see cref="Lateness"/>.
/// </remarks>
public sealed class PrecisionScheduler
{
    /// <summary>The default spin window: wider than nanosleep's usual overshoot on a loaded machine (docs/benchmarks.md, "Offline replay").</summary>
    public const long DefaultSpinWindowNanoseconds = 200_000;

    /// <summary>A sleep is cut into pieces no longer than this, so a cancellation is seen within 20 ms.</summary>
    public const long MaxSleepNanoseconds = 20_000_000;

    private readonly NanosecondClock _clock;
    private readonly IWaitPrimitives _waits;

    public PrecisionScheduler(TimeProvider? time = null, IWaitPrimitives? waits = null, long spinWindowNanoseconds = DefaultSpinWindowNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spinWindowNanoseconds);
        _clock = new NanosecondClock(time ?? TimeProvider.System);
        _waits = waits ?? SystemWaitPrimitives.Instance;
        SpinWindowNanoseconds = spinWindowNanoseconds;
    }

    public long SpinWindowNanoseconds { get; }

    /// <summary>How late each <see cref="WaitUntil"/> returned.</summary>
    public LatenessHistogram Lateness { get; } = new();

    /// <summary>Sleeps taken (each frees the core).</summary>
    public long Sleeps { get; private set; }

    /// <summary>Spins taken in the spin window (the core stays busy).</summary>
    public long Spins { get; private set; }

    /// <summary>Monotonic time in nanoseconds.</summary>
    public long Now => _clock.Now();

    /// <summary>
    /// Returns once <see cref="Now"/> is at or past <paramref name="dueNanoseconds"/>, or early when
    /// <paramref name="cancellation"/> is cancelled.
    /// </summary>
    /// <returns>How late the wait returned, in nanoseconds (also when the deadline had passed before the call); 0 on cancellation.</returns>
    /// <param name="dueNanoseconds">The deadline, in <see cref="Now"/>'s nanoseconds.</param>
    /// <param name="cancellation">Ends the wait early.</param>
    /// <param name="countLateness">False for a wait that is no timeline deadline (a poll), so it stays out of <see cref="Lateness"/>.</param>
    public long WaitUntil(long dueNanoseconds, CancellationToken cancellation = default, bool countLateness = true)
    {
        var now = Now;
        if (now >= dueNanoseconds)
        {
            // Behind the timeline already (a slow step before, or a burst): that lateness counts too.
            if (countLateness)
            {
                Lateness.Add(now - dueNanoseconds);
            }

            return now - dueNanoseconds;
        }

        while (now < dueNanoseconds)
        {
            if (cancellation.IsCancellationRequested)
            {
                return 0;
            }

            var remaining = dueNanoseconds - now;
            if (remaining > SpinWindowNanoseconds)
            {
                Sleeps++;
                _waits.Sleep(Math.Min(remaining - SpinWindowNanoseconds, MaxSleepNanoseconds));
            }
            else
            {
                Spins++;
                _waits.Spin();
            }

            now = Now;
        }

        var late = now - dueNanoseconds;
        if (countLateness)
        {
            Lateness.Add(late);
        }

        return late;
    }
}
