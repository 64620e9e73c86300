using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Threading;

/// <summary>
/// Per-thread nice values on Linux: setpriority(PRIO_PROCESS, tid) changes one thread only (threads do not share a
/// nice value there), so the timing-critical threads can run at a higher priority than the rest of the process.
/// </summary>
internal static partial class ThreadNice
{
    private const int PrioProcess = 0;

    /// <summary>The kernel's id of the calling thread; 0 where there is none.</summary>
    public static int CurrentThreadId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            return GetTid();
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Sets the nice value of thread <paramref name="tid"/>; false without the permission (CAP_SYS_NICE) or off Linux.</summary>
    public static bool TryRaise(int tid, int nice)
    {
        if (tid == 0 || !OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return SetPriority(PrioProcess, (uint)tid, nice) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Sets the calling thread's nice value; 0 leaves the inherited one. False when nothing was set.</summary>
    public static bool TrySetForCurrentThread(int nice) => nice != 0 && TryRaise(CurrentThreadId(), nice);

    /// <summary>The kernel ids of this process's threads whose name (as the kernel keeps it, 15 characters) is <paramref name="name"/>.</summary>
    public static HashSet<int> ThreadsNamed(string name)
    {
        var result = new HashSet<int>();
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return result;
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name && int.TryParse(Path.GetFileName(task), out var tid))
                {
                    result.Add(tid);
                }
            }
            catch (IOException)
            {
                // The thread ended while the directory was read.
            }
        }

        return result;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, uint who, int priority);
}
