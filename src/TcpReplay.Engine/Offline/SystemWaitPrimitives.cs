using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// Real waits: on Linux <c>nanosleep(2)</c>, which sleeps with microsecond precision (plus the thread's timer slack,
/// 50 µs by default, which <see cref="ReduceTimerSlack"/> lowers), instead of <see cref="Thread.Sleep(int)"/>'s whole
/// milliseconds; elsewhere Thread.Sleep.
/// </summary>
public sealed partial class SystemWaitPrimitives : IWaitPrimitives
{
    private const int PrSetTimerSlack = 29;

    public static SystemWaitPrimitives Instance { get; } = new();

    /// <summary>
    /// Sets the calling thread's timer slack to 1 µs (prctl PR_SET_TIMERSLACK), so its sleeps end when asked rather
    /// than up to 50 µs later; false where that is not possible. Call it on the thread that will sleep.
    /// </summary>
    public static bool ReduceTimerSlack()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return Prctl(PrSetTimerSlack, 1_000, 0, 0, 0) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    public void Sleep(long nanoseconds)
    {
        if (nanoseconds <= 0)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            var request = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
            // EINTR cuts the sleep short; the scheduler loops on the clock anyway, so the remainder is not needed.
            _ = NanoSleep(in request, IntPtr.Zero);
            return;
        }

        Thread.Sleep(TimeSpan.FromTicks(Math.Max(1, nanoseconds / 100)));
    }

    public void Spin() => Thread.SpinWait(20);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in TimeSpec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
