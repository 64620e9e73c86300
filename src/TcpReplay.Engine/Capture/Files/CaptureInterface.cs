using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture.Files;

/// <summary>
/// A capture interface: the pcap file header, or one pcapng Interface Description Block.
/// </summary>
/// <param name="LinkType">Link-layer header type of the interface's packets (pcap FCS bits masked off).</param>
/// <param name="SnapLength">
/// Maximum captured bytes per packet the file declares; 0 means no limit stated. Values above
/// <see cref="int.MaxValue"/> are reported as <see cref="int.MaxValue"/>.
/// </param>
/// <param name="TimestampUnitsPerSecond">
/// Timestamp resolution: 1,000,000 for microseconds, 1,000,000,000 for nanoseconds, 1,024 for
/// pcapng <c>if_tsresol</c> 2^-10, and so on.
/// </param>
/// <param name="TimestampOffsetSeconds">pcapng <c>if_tsoffset</c>: seconds added to every timestamp; 0 for pcap.</param>
/// <param name="Name">pcapng <c>if_name</c>, or null when absent (always null for pcap).</param>
/// <param name="SectionIndex">0-based pcapng section the interface belongs to; 0 for pcap.</param>
/// <param name="InterfaceId">The interface ID within its section, as pcapng packet blocks name it; 0 for pcap.</param>
public sealed record CaptureInterface(
    LinkType LinkType,
    int SnapLength,
    ulong TimestampUnitsPerSecond,
    long TimestampOffsetSeconds,
    string? Name,
    int SectionIndex,
    int InterfaceId);
