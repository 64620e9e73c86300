using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Tests.Lab;

/// <summary>
/// Moves the calling thread into a named network namespace (/var/run/netns/NAME, as `ip netns add` makes) until
/// disposed, when the thread goes back to the namespace it came from.
/// </summary>
/// <remarks>
/// A network namespace is a property of the thread (setns(2) changes only the caller), and sockets and pcap handles
/// stay in the namespace of the thread that opened them; threads created meanwhile inherit it. So a test opens a
/// capture and starts it inside the scope, and the capture keeps working there after the scope ends. Use it only in
/// synchronous code: an await could resume on another thread and leave this one in the namespace.
/// </remarks>
internal sealed partial class NetworkNamespaceScope : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x80000;

    private readonly int _previous;
    private readonly int _threadId;
    private bool _disposed;

    private NetworkNamespaceScope(int previous)
    {
        _previous = previous;
        _threadId = Environment.CurrentManagedThreadId;
    }

    public static NetworkNamespaceScope Enter(string name)
    {
        var previous = Open("/proc/thread-self/ns/net");
        var target = -1;
        try
        {
            target = Open($"/var/run/netns/{name}");
            if (setns(target, CloneNewNet) != 0)
            {
                throw new InvalidOperationException($"setns into network namespace '{name}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        catch
        {
            close(previous);
            throw;
        }
        finally
        {
            if (target >= 0)
            {
                close(target);
            }
        }

        return new NetworkNamespaceScope(previous);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("A network namespace scope must be left on the thread that entered it.");
        }

        _disposed = true;
        var result = setns(_previous, CloneNewNet);
        var errno = Marshal.GetLastPInvokeError();
        close(_previous);
        if (result != 0)
        {
            throw new InvalidOperationException($"Returning to the original network namespace failed (errno {errno}).");
        }
    }

    private static int Open(string path)
    {
        var fd = open(path, OpenReadOnly | OpenCloseOnExec);
        if (fd < 0)
        {
            throw new InvalidOperationException($"Cannot open {path} (errno {Marshal.GetLastPInvokeError()}).");
        }

        return fd;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
