using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Capture;

/// <summary>libc calls the capture loops need without allocating: poll(2), gettid(2).</summary>
internal static partial class LinuxNative
{
    public const short PollIn = 0x0001;
    public const int EIntr = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>Waits until <paramref name="fd"/> is readable or <paramref name="timeoutMilliseconds"/> pass.</summary>
    /// <returns>1 readable, 0 timeout, -1 error (EINTR is reported as 0).</returns>
    public static unsafe int WaitReadable(int fd, int timeoutMilliseconds)
    {
        var pollFd = new PollFd { Fd = fd, Events = PollIn };
        var result = poll(&pollFd, 1, timeoutMilliseconds);
        if (result < 0)
        {
            return Marshal.GetLastPInvokeError() == EIntr ? 0 : -1;
        }

        return result;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
