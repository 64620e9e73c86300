namespace TcpReplay.Engine.Packets;

/// <summary>
/// The outcome of parsing a frame or header. Every parser in this namespace reports malformed or
/// unsupported input with one of these values instead of throwing.
/// </summary>
public enum PacketParseStatus : byte
{
    /// <summary>The header (or packet) was parsed; the out value is usable.</summary>
    Ok,

    /// <summary>The captured bytes end before a header that the declared lengths say is there (snap length, or a cut frame).</summary>
    Truncated,

    /// <summary>The link type is not one of <see cref="LinkType"/>'s values.</summary>
    UnsupportedLinkType,

    /// <summary>The link layer carries something other than IPv4 or IPv6 (ARP, LLDP, ...).</summary>
    NotIp,

    /// <summary>The IP version nibble is not 4 or 6, or disagrees with the link layer's protocol field.</summary>
    BadIpVersion,

    /// <summary>The IPv4 header length (IHL) is below 5 words.</summary>
    BadIpHeaderLength,

    /// <summary>The IPv4 total length is below the header length, or the IP payload is too short to hold a TCP header.</summary>
    BadIpTotalLength,

    /// <summary>The IP payload is not TCP (including IPv6 ESP, whose next header is encrypted).</summary>
    NotTcp,

    /// <summary>A non-first IP fragment, or a first fragment too short to hold the whole TCP header.</summary>
    Fragment,

    /// <summary>The TCP data offset is below 5 words, or beyond the segment length the IP header declares.</summary>
    BadTcpHeaderLength,

    /// <summary>A TCP option's length byte is missing, below 2, or runs past the TCP header.</summary>
    BadTcpOptions,

    /// <summary>An IPv6 extension header runs past the payload length the IPv6 header declares.</summary>
    BadExtensionHeader,
}
