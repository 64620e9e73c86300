using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// A TCP segment in an IPv4 or IPv6 packet, parsed in place from a captured frame. It borrows the
/// frame's buffer (no copy, no allocation) and is valid only while that buffer is; the rewrite
/// methods change the buffer.
/// </summary>
/// <remarks>
/// Exactly one of <see cref="Ipv4"/> and <see cref="Ipv6"/> is a parsed view, as
/// <see cref="IpVersion"/> says; the other is <c>default</c> and must not be read. A <c>default</c>
/// <see cref="TcpPacket"/> has no bytes; create packets with <see cref="TryParse"/> or <see cref="TryParseIp"/> only.
/// </remarks>
public readonly ref partial struct TcpPacket
{
    private readonly Ipv4Header _ipv4;
    private readonly Ipv6Header _ipv6;
    private readonly TcpHeader _tcp;
    private readonly int _ipVersion;
    private readonly int _networkOffset;
    private readonly int _segmentLength;

    private TcpPacket(Ipv4Header ipv4, Ipv6Header ipv6, TcpHeader tcp, int ipVersion, int networkOffset, int segmentLength)
    {
        _ipv4 = ipv4;
        _ipv6 = ipv6;
        _tcp = tcp;
        _ipVersion = ipVersion;
        _networkOffset = networkOffset;
        _segmentLength = segmentLength;
    }

    /// <summary>
    /// Parses a captured frame down to its TCP header.
    /// </summary>
    /// <param name="linkType">The capture's link type.</param>
    /// <param name="frame">The captured bytes of one frame, from the link-layer header on.</param>
    /// <param name="packet">On <see cref="PacketParseStatus.Ok"/>, the packet; otherwise <c>default</c>.</param>
    /// <returns><see cref="PacketParseStatus.Ok"/> when the IP header(s) and the whole TCP header (with
    /// options) were captured and are consistent, even if the payload was cut (see <see cref="IsTruncated"/>).
    /// A first fragment parses as Ok when its TCP header is complete; a later fragment gives
    /// <see cref="PacketParseStatus.Fragment"/>. Every other value names what is wrong.</returns>
    public static PacketParseStatus TryParse(LinkType linkType, Span<byte> frame, out TcpPacket packet)
    {
        PacketParseStatus status = LinkLayer.TryGetNetworkOffset(linkType, frame, out int offset, out int linkIpVersion);
        if (status != PacketParseStatus.Ok)
        {
            packet = default;
            return status;
        }

        return TryParseNetwork(frame.Slice(offset), offset, linkIpVersion, out packet);
    }

    /// <summary>
    /// Parses an IP packet (no link-layer header) down to its TCP header; the version comes from the
    /// first nibble. See <see cref="TryParse"/> for the statuses.
    /// </summary>
    public static PacketParseStatus TryParseIp(Span<byte> ipPacket, out TcpPacket packet)
        => TryParseNetwork(ipPacket, 0, 0, out packet);

    /// <summary>4 or 6.</summary>
    public int IpVersion => _ipVersion;

    /// <summary>The byte offset of the IP header within the frame passed to <see cref="TryParse"/> (0 from <see cref="TryParseIp"/>).</summary>
    public int NetworkOffset => _networkOffset;

    /// <summary>The IPv4 header when <see cref="IpVersion"/> is 4; <c>default</c> otherwise.</summary>
    public Ipv4Header Ipv4 => _ipv4;

    /// <summary>The IPv6 header when <see cref="IpVersion"/> is 6; <c>default</c> otherwise.</summary>
    public Ipv6Header Ipv6 => _ipv6;

    public TcpHeader Tcp => _tcp;

    /// <summary>The source address; IPv4 as the IPv4-mapped IPv6 address ::ffff:a.b.c.d (see <see cref="IpAddress128"/>).</summary>
    public UInt128 SourceAddress128 => _ipVersion == Ipv4Fields.Version
        ? IpAddress128.FromIpv4(_ipv4.SourceAddress)
        : BinaryPrimitives.ReadUInt128BigEndian(_ipv6.SourceAddress);

    /// <summary>The destination address, as <see cref="SourceAddress128"/>.</summary>
    public UInt128 DestinationAddress128 => _ipVersion == Ipv4Fields.Version
        ? IpAddress128.FromIpv4(_ipv4.DestinationAddress)
        : BinaryPrimitives.ReadUInt128BigEndian(_ipv6.DestinationAddress);

    /// <summary>
    /// The TCP payload length in bytes as the IP lengths declare it (not limited by the snap length):
    /// the sequence space the segment's data occupies. For a first fragment, the part in this fragment.
    /// </summary>
    public int PayloadLength => _segmentLength - _tcp.HeaderLength;

    /// <summary>True when the capture holds fewer bytes than the IP header declares, so the payload is incomplete.</summary>
    public bool IsTruncated => _ipVersion == Ipv4Fields.Version ? _ipv4.IsTruncated : _ipv6.IsTruncated;

    /// <summary>True when the IP layer marks this packet as the first fragment of a larger datagram.</summary>
    public bool IsFragment => _ipVersion == Ipv4Fields.Version ? _ipv4.IsFragment : _ipv6.IsFragment;

    private static PacketParseStatus TryParseNetwork(Span<byte> ip, int networkOffset, int expectedVersion, out TcpPacket packet)
    {
        packet = default;
        if (ip.IsEmpty)
        {
            return PacketParseStatus.Truncated;
        }

        int version = ip[0] >> 4;
        if (expectedVersion != 0 && version != expectedVersion)
        {
            return PacketParseStatus.BadIpVersion;
        }

        PacketParseStatus status;
        Span<byte> segment;
        int segmentLength;
        bool moreFragments;
        Ipv4Header ipv4 = default;
        Ipv6Header ipv6 = default;
        if (version == Ipv4Fields.Version)
        {
            status = Ipv4Header.TryParse(ip, out ipv4);
            if (status != PacketParseStatus.Ok)
            {
                return status;
            }

            if (ipv4.Protocol != IpProtocolNumbers.Tcp)
            {
                return PacketParseStatus.NotTcp;
            }

            if (ipv4.FragmentOffset != 0)
            {
                return PacketParseStatus.Fragment;
            }

            segment = ipv4.Payload;
            segmentLength = ipv4.TotalLength - ipv4.HeaderLength;
            moreFragments = ipv4.MoreFragments;
        }
        else if (version == Ipv6Fields.Version)
        {
            status = Ipv6Header.TryParse(ip, out ipv6);
            if (status != PacketParseStatus.Ok)
            {
                return status;
            }

            if (ipv6.UpperLayerProtocol != IpProtocolNumbers.Tcp)
            {
                return PacketParseStatus.NotTcp;
            }

            if (ipv6.FragmentOffset != 0)
            {
                return PacketParseStatus.Fragment;
            }

            segment = ipv6.UpperLayerPayload;
            segmentLength = ipv6.UpperLayerLength;
            moreFragments = ipv6.MoreFragments;
        }
        else
        {
            return PacketParseStatus.BadIpVersion;
        }

        // A first fragment may legitimately end inside the TCP header (RFC 1858 calls such tiny
        // fragments an attack, but they are valid IP); that is a fragment, not a length error.
        if (moreFragments && !TcpHeader.FitsInDeclaredLength(segment, segmentLength))
        {
            return PacketParseStatus.Fragment;
        }

        status = TcpHeader.TryParseDeclared(segment, segmentLength, out TcpHeader tcp);
        if (status != PacketParseStatus.Ok)
        {
            return status;
        }

        packet = new TcpPacket(ipv4, ipv6, tcp, version, networkOffset, segmentLength);
        return PacketParseStatus.Ok;
    }
}
