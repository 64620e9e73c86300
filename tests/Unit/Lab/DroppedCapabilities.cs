using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Tests.Lab;

/// <summary>
/// Runs code as a root process without CAP_NET_RAW and CAP_NET_ADMIN, to see what an unprivileged user gets.
/// Linux capabilities belong to the thread (capset(2) changes the caller only), so the code runs on a thread of its
/// own that drops them from its effective set and then ends; the rest of the test process keeps them.
/// </summary>
internal static partial class DroppedCapabilities
{
    private const uint LinuxCapabilityVersion3 = 0x20080522;
    private const int CapNetAdmin = 12;
    private const int CapNetRaw = 13;

    public static Exception? Run(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            DropFromEffective();
            try
            {
                action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The unprivileged action did not end.");
        }

        return failure;
    }

    private static unsafe void DropFromEffective()
    {
        var header = new Header { Version = LinuxCapabilityVersion3, Pid = 0 };
        var data = stackalloc Data[2];
        if (capget(&header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        data[0].Effective &= ~((1u << CapNetAdmin) | (1u << CapNetRaw));
        if (capset(&header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int capget(Header* header, Data* data);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int capset(Header* header, Data* data);
}
