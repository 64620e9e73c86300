using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// Runs work on a dedicated thread that has joined a named network namespace (/run/netns/&lt;name&gt;, as
/// <c>ip netns add</c> creates it).
/// </summary>
/// <remarks>
/// setns(CLONE_NEWNET) moves only the calling thread (a task, to the kernel), and a socket belongs to the
/// namespace of the thread that created it; so a packet socket libpcap opens on this thread captures and sends in
/// that namespace, while the rest of the process stays where it is. The thread goes back before it ends.
/// Joining needs CAP_SYS_ADMIN.
/// </remarks>
internal static partial class NetworkNamespaceThread
{
    private const int CloneNewNet = 0x40000000;
    private const int OpenReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    public static T Run<T>(string networkNamespace, Func<T> work)
    {
        LinuxNames.ThrowIfInvalidNamespaceName(networkNamespace, nameof(networkNamespace));
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunInside(networkNamespace, work);
            }
            catch (Exception exception)
            {
                // Carried to the caller's thread, with its stack, instead of tearing the process down.
                failure = ExceptionDispatchInfo.Capture(exception);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {networkNamespace}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static T RunInside<T>(string networkNamespace, Func<T> work)
    {
        var original = Open("/proc/thread-self/ns/net");
        try
        {
            var target = Open($"/run/netns/{networkNamespace}");
            try
            {
                Join(target, networkNamespace);
            }
            finally
            {
                _ = Close(target);
            }

            try
            {
                return work();
            }
            finally
            {
                // Best effort: the thread ends right after, so a failure here leaves nothing running in the namespace.
                _ = SetNamespace(original, CloneNewNet);
            }
        }
        finally
        {
            _ = Close(original);
        }
    }

    private static int Open(string path)
    {
        var fd = OpenFile(path, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open {path}: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
        }

        return fd;
    }

    private static void Join(int fd, string networkNamespace)
    {
        if (SetNamespace(fd, CloneNewNet) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new UnauthorizedAccessException(
                $"Cannot enter network namespace '{networkNamespace}': {Marshal.GetPInvokeErrorMessage(errno)} (setns needs CAP_SYS_ADMIN).");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int nstype);
}
