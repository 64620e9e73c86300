using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Threading;

/// <summary>
/// Keeps two busy threads of a pipeline on different cores (Linux sched_setaffinity per thread): the process's allowed
/// cores are dealt out in turn, so each thread keeps half of them and the kernel still balances it within its half.
/// </summary>
/// <remarks>
/// Left to itself the scheduler sometimes runs both on one core while another busy process holds the other, and the
/// pipeline then runs at the speed of one thread (docs/benchmarks.md, session 13). With fewer than two allowed cores, or
/// off Linux, nothing is changed.
/// </remarks>
internal static unsafe partial class ThreadAffinity
{
    // cpu_set_t: 1024 cores, as glibc's.
    private const int MaskWords = 16;

    /// <summary>Pins <paramref name="firstTid"/> to the even-numbered half of the allowed cores and <paramref name="secondTid"/> to the other; false when nothing was changed.</summary>
    public static bool TryPinApart(int firstTid, int secondTid)
    {
        if (firstTid == 0 || secondTid == 0 || !OperatingSystem.IsLinux())
        {
            return false;
        }

        var allowed = stackalloc ulong[MaskWords];
        var first = stackalloc ulong[MaskWords];
        var second = stackalloc ulong[MaskWords];
        try
        {
            if (GetAffinity(0, MaskWords * sizeof(ulong), allowed) != 0)
            {
                return false;
            }

            var dealt = 0;
            for (var core = 0; core < MaskWords * 64; core++)
            {
                var bit = 1UL << (core % 64);
                if ((allowed[core / 64] & bit) != 0)
                {
                    (dealt++ % 2 == 0 ? first : second)[core / 64] |= bit;
                }
            }

            return dealt >= 2
                && SetAffinity(firstTid, MaskWords * sizeof(ulong), first) == 0
                && SetAffinity(secondTid, MaskWords * sizeof(ulong), second) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_getaffinity")]
    private static partial int GetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    private static partial int SetAffinity(int pid, nuint size, ulong* mask);
}
