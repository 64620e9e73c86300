using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using SharpPcap.LibPcap;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// The few libpcap functions SharpPcap 6.3.1 does not expose publicly (or exposes only with allocations or
/// exceptions per call): the selectable fd, the capture direction, and pcap_inject with its errno.
/// </summary>
/// <remarks>
/// Loading: SharpPcap resolves its own "wpcap" imports on Linux by trying libpcap.so, libpcap.so.0, libpcap.so.0.8
/// and libpcap.so.1 (its LibPcapSafeNativeMethods.Resolver), which finds Debian's libpcap0.8 package without the -dev
/// symlink. These imports use a private library name that no default probing finds; a handler on the engine's
/// AssemblyLoadContext.ResolvingUnmanagedDll maps it to the same candidates. An event, not
/// NativeLibrary.SetDllImportResolver, because only one resolver may be set per assembly and other parts of the
/// engine may need one.
/// </remarks>
internal static partial class LibPcapNative
{
    public const int DirectionIn = 1;

    private const string LibraryName = "tcpreplay-libpcap";

    private static readonly string[] Candidates = ["libpcap.so", "libpcap.so.0.8", "libpcap.so.1", "libpcap.so.0", "libpcap.dylib"];

    static LibPcapNative()
    {
        var context = AssemblyLoadContext.GetLoadContext(typeof(LibPcapNative).Assembly) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += Resolve;
    }

    /// <summary>Loads libpcap once; false when no candidate loads.</summary>
    public static bool IsAvailable() => TryLoad(out _);

    [LibraryImport(LibraryName)]
    public static partial int pcap_get_selectable_fd(PcapHandle handle);

    [LibraryImport(LibraryName)]
    public static partial int pcap_setdirection(PcapHandle handle, int direction);

    /// <summary>
    /// pcap_stats into libpcap's own layout: three <c>u_int</c>s. SharpPcap 6.3.1 reads them as three pointer-sized
    /// fields on Unix (PcapUnmanagedStructures.pcap_stat_unix), so on 64-bit Linux its DroppedPackets is really
    /// ps_ifdrop (always 0 there) and the kernel's drops never show.
    /// </summary>
    [LibraryImport(LibraryName)]
    public static partial int pcap_stats(PcapHandle handle, out PcapStat statistics);

    /// <summary>Returns the bytes written or -1; errno is then in Marshal.GetLastPInvokeError().</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    public static unsafe partial int pcap_inject(PcapHandle handle, byte* buffer, nuint size);

    /// <summary><c>struct pcap_stat</c> (pcap/pcap.h) outside Windows.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PcapStat
    {
        /// <summary>ps_recv: packets the filter passed (on Linux, also those later dropped).</summary>
        public uint Received;

        /// <summary>ps_drop: packets the kernel dropped because the ring or socket buffer was full.</summary>
        public uint Dropped;

        /// <summary>ps_ifdrop: drops by the interface; not filled on Linux.</summary>
        public uint InterfaceDropped;
    }

    private static IntPtr Resolve(Assembly assembly, string name) =>
        name == LibraryName && TryLoad(out var handle) ? handle : IntPtr.Zero;

    private static bool TryLoad(out IntPtr handle)
    {
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                return true;
            }
        }

        handle = IntPtr.Zero;
        return false;
    }
}
