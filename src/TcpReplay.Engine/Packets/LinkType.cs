namespace TcpReplay.Engine.Packets;

/// <summary>
/// The link-layer header type of a frame, numbered as the pcap/pcapng LINKTYPE_* values
/// (https://www.tcpdump.org/linktypes.html), so a capture file's header value can be cast directly.
/// </summary>
public enum LinkType : ushort
{
    /// <summary>BSD loopback: a 4-byte address family in the byte order of the host that wrote the capture.</summary>
    Null = 0,

    /// <summary>Ethernet II, possibly with stacked 802.1Q / 802.1ad VLAN tags.</summary>
    Ethernet = 1,

    /// <summary>Raw IP; the version is taken from the first nibble.</summary>
    Raw = 101,

    /// <summary>OpenBSD loopback: a 4-byte address family in network byte order.</summary>
    Loop = 108,

    /// <summary>Linux "cooked" capture v1 (16-byte header), as written by <c>tcpdump -i any</c> on older libpcap.</summary>
    LinuxSll = 113,

    /// <summary>Raw IPv4 only.</summary>
    Ipv4 = 228,

    /// <summary>Raw IPv6 only.</summary>
    Ipv6 = 229,

    /// <summary>Linux "cooked" capture v2 (20-byte header), written by <c>tcpdump -i any</c> with libpcap 1.10 and later.</summary>
    LinuxSll2 = 276,
}
