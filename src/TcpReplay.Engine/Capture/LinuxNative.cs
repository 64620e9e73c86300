using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Capture;

/// <summary>libc calls the capture and engine loops need without allocating: poll(2), recv(2), eventfd(2).</summary>
internal static partial class LinuxNative
{
    public const short PollIn = 0x0001;
    public const int EIntr = 4;
    public const int EAgain = 11;

    private const int MsgDontWait = 0x40;
    private const int EfdNonBlock = 0x800;
    private const int EfdCloseOnExec = 0x80000;

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
        return Poll(new Span<PollFd>(&pollFd, 1), timeoutMilliseconds);
    }

    /// <summary>Waits until one of <paramref name="fds"/> is ready or <paramref name="timeoutMilliseconds"/> pass.</summary>
    /// <returns>How many are ready, 0 on timeout, -1 on error (EINTR is reported as 0).</returns>
    public static unsafe int Poll(Span<PollFd> fds, int timeoutMilliseconds)
    {
        int result;
        fixed (PollFd* first = fds)
        {
            result = poll(first, (nuint)fds.Length, timeoutMilliseconds);
        }

        if (result < 0)
        {
            return Marshal.GetLastPInvokeError() == EIntr ? 0 : -1;
        }

        return result;
    }

    /// <summary>recv(2) with MSG_DONTWAIT on a socket that stays blocking for its other users.</summary>
    /// <returns>Bytes read, 0 when the peer closed, or minus the errno (-<see cref="EAgain"/>: nothing to read).</returns>
    public static unsafe int ReceiveWithoutWaiting(int fd, Span<byte> buffer)
    {
        nint result;
        fixed (byte* first = buffer)
        {
            result = recv(fd, first, (nuint)buffer.Length, MsgDontWait);
        }

        return result >= 0 ? (int)result : -Marshal.GetLastPInvokeError();
    }

    /// <summary>A non-blocking eventfd(2) counter, or -1 with the errno in <paramref name="error"/>.</summary>
    public static int OpenEventFd(out int error)
    {
        var fd = eventfd(0, EfdNonBlock | EfdCloseOnExec);
        error = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>Adds one to an eventfd counter, which makes it readable.</summary>
    public static unsafe void SignalEventFd(int fd)
    {
        ulong one = 1;
        _ = write(fd, &one, sizeof(ulong));
    }

    /// <summary>Reads an eventfd counter back to zero; nothing happens when it is zero already.</summary>
    public static unsafe void ClearEventFd(int fd)
    {
        ulong value;
        _ = read(fd, &value, sizeof(ulong));
    }

    /// <summary>Closes a descriptor this code opened itself.</summary>
    public static void CloseDescriptor(int fd) => _ = close(fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int eventfd(uint initial, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
