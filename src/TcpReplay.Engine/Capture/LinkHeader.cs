using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// What the capture layer asks of the link layer: where the IPv4 header starts (the auto probe counts ports with it),
/// read through <see cref="LinkLayer"/>, and which <see cref="LinkType"/> a libpcap datalink value is.
/// </summary>
internal static class LinkHeader
{
    /// <summary>Offset of the IPv4 header, or false when the frame is not IPv4 or too short.</summary>
    public static bool TryGetIpv4Offset(ReadOnlySpan<byte> frame, LinkType linkType, out int offset)
    {
        // The link layer names the protocol (version 4) or, for raw IP, leaves it to the IP header (version 0);
        // either way the IP header itself must say 4.
        if (LinkLayer.TryGetNetworkOffset(linkType, frame, out offset, out var ipVersion) != PacketParseStatus.Ok
            || ipVersion is not (0 or Ipv4Fields.Version))
        {
            return false;
        }

        return frame.Length > offset && frame[offset] >> 4 == Ipv4Fields.Version;
    }

    /// <summary>Maps libpcap's pcap_datalink() DLT_* value to the file LINKTYPE_* value of <see cref="LinkType"/>.</summary>
    /// <remarks>They differ only where the DLT number is platform-specific: DLT_RAW is 12 on Linux (14 on OpenBSD), LINKTYPE_RAW is 101.</remarks>
    public static bool TryFromDatalink(int dlt, out LinkType linkType)
    {
        const int DltRawLinux = 12;
        const int DltRawOpenBsd = 14;
        linkType = dlt switch
        {
            DltRawLinux or DltRawOpenBsd => LinkType.Raw,
            _ => (LinkType)dlt,
        };
        return dlt is >= 0 and <= ushort.MaxValue && Enum.IsDefined(linkType);
    }
}
