using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// libpcap's offline filtering: a BPF program compiled on a "dead" handle (pcap_open_dead) runs on packets read from
/// a file with pcap_offline_filter, with no capture device. Handles are raw pointers owned by BpfFilter.
/// </summary>
internal static partial class LibPcapNative
{
    /// <summary>PCAP_NETMASK_UNKNOWN: "ip broadcast" cannot be used, everything else compiles.</summary>
    public const uint NetmaskUnknown = 0xFFFFFFFF;

    [LibraryImport(LibraryName)]
    public static partial IntPtr pcap_open_dead(int linkType, int snapLength);

    [LibraryImport(LibraryName)]
    public static partial void pcap_close(IntPtr handle);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int pcap_compile(IntPtr handle, ref BpfProgram program, string expression, int optimize, uint netmask);

    [LibraryImport(LibraryName)]
    public static partial void pcap_freecode(ref BpfProgram program);

    [LibraryImport(LibraryName)]
    public static partial IntPtr pcap_geterr(IntPtr handle);

    /// <summary>Non-zero when the packet passes the program.</summary>
    [LibraryImport(LibraryName)]
    public static unsafe partial int pcap_offline_filter(ref BpfProgram program, in PcapPacketHeader header, byte* packet);

    /// <summary><c>struct bpf_program</c>: instruction count and pointer (owned by libpcap until pcap_freecode).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BpfProgram
    {
        public uint Length;
        public IntPtr Instructions;
    }

    /// <summary><c>struct pcap_pkthdr</c> on 64-bit Linux: a timeval of two longs, then caplen and len.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PcapPacketHeader
    {
        public long Seconds;
        public long Microseconds;
        public uint CapturedLength;
        public uint Length;
    }
}
