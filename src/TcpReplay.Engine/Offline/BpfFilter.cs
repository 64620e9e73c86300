using System.Runtime.InteropServices;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// A pcap-filter(7) expression evaluated on packets read from capture files, by libpcap itself (pcap_compile on a
/// pcap_open_dead handle, pcap_offline_filter per packet), so the syntax and meaning are exactly tcpdump's.
/// </summary>
/// <remarks>
/// A program is compiled per link type, the first time a packet of that type is seen (pcapng files may mix them);
/// <see cref="Create"/> compiles it for Ethernet at once, so a bad expression is reported before any packet is read.
/// Matching allocates nothing. Not thread-safe; dispose to free the programs.
/// </remarks>
public sealed class BpfFilter : IDisposable
{
    private const int SnapLength = 262144;
    private readonly List<(LinkType LinkType, IntPtr Handle, LibPcapNative.BpfProgram Program)> _programs = [];
    private bool _disposed;

    private BpfFilter(string expression) => Expression = expression;

    public string Expression { get; }

    /// <summary>Compiles <paramref name="expression"/>; null with the reason in <paramref name="error"/> when libpcap refuses it or is missing.</summary>
    public static BpfFilter? Create(string expression, out string? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (!LibPcapNative.IsAvailable())
        {
            error = "libpcap is not installed (the filter is compiled by libpcap): install libpcap0.8.";
            return null;
        }

        var filter = new BpfFilter(expression);
        if (!filter.TryCompile(LinkType.Ethernet, out _, out error))
        {
            filter.Dispose();
            return null;
        }

        return filter;
    }

    /// <summary>True when the frame (link header first, as captured) passes the filter; a link type libpcap cannot compile for passes nothing.</summary>
    /// <param name="linkType">The record's link type.</param>
    /// <param name="frame">The captured bytes.</param>
    /// <param name="originalLength">The packet's length on the wire.</param>
    public unsafe bool Matches(LinkType linkType, ReadOnlySpan<byte> frame, int originalLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var index = Find(linkType);
        if (index < 0 && !TryCompile(linkType, out index, out _))
        {
            return false;
        }

        var program = _programs[index].Program;
        var header = new LibPcapNative.PcapPacketHeader { CapturedLength = (uint)frame.Length, Length = (uint)Math.Max(originalLength, frame.Length) };
        fixed (byte* data = frame)
        {
            return LibPcapNative.pcap_offline_filter(ref program, in header, data) != 0;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var i = 0; i < _programs.Count; i++)
        {
            var entry = _programs[i];
            if (entry.Program.Instructions != IntPtr.Zero)
            {
                LibPcapNative.pcap_freecode(ref entry.Program);
            }

            LibPcapNative.pcap_close(entry.Handle);
        }

        _programs.Clear();
    }

    private int Find(LinkType linkType)
    {
        for (var i = 0; i < _programs.Count; i++)
        {
            if (_programs[i].LinkType == linkType)
            {
                return i;
            }
        }

        return -1;
    }

    private bool TryCompile(LinkType linkType, out int index, out string? error)
    {
        index = -1;
        var handle = LibPcapNative.pcap_open_dead(ToDlt(linkType), SnapLength);
        if (handle == IntPtr.Zero)
        {
            error = $"libpcap cannot open a handle for link type {linkType}.";
            return false;
        }

        var program = default(LibPcapNative.BpfProgram);
        if (LibPcapNative.pcap_compile(handle, ref program, Expression, 1, LibPcapNative.NetmaskUnknown) != 0)
        {
            error = Marshal.PtrToStringUTF8(LibPcapNative.pcap_geterr(handle)) ?? "pcap_compile failed";
            LibPcapNative.pcap_close(handle);
            return false;
        }

        _programs.Add((linkType, handle, program));
        index = _programs.Count - 1;
        error = null;
        return true;
    }

    // pcap_open_dead takes a DLT_ value; files carry LINKTYPE_ values, which differ only for raw IP (LINKTYPE_RAW 101 is DLT_RAW 12 on Linux).
    private static int ToDlt(LinkType linkType) => linkType == LinkType.Raw ? 12 : (int)linkType;
}
