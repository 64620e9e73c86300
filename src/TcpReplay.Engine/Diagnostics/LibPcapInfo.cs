namespace TcpReplay.Engine.Diagnostics;

/// <summary>Whether libpcap can be loaded, and which one.</summary>
/// <param name="IsAvailable">True when a libpcap shared library loaded and exported pcap_lib_version.</param>
/// <param name="LibraryPath">The file the loader mapped (from /proc/self/maps), or the name that loaded when the file is unknown; null when none loaded.</param>
/// <param name="Version">The text of pcap_lib_version(), such as "libpcap version 1.10.3 (with TPACKET_V3)"; null when none loaded.</param>
/// <param name="Remedy">The command that installs libpcap on Debian and Ubuntu; the fix to show when <paramref name="IsAvailable"/> is false.</param>
public sealed record LibPcapInfo(bool IsAvailable, string? LibraryPath, string? Version, string Remedy);
