using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// A view over an IPv4 header and the captured part of its payload (RFC 791). It borrows the span it
/// was parsed from: it owns no memory, and it is valid only while that buffer is. Values are host-order
/// numbers of the big-endian fields; addresses are 0xAABBCCDD for a.b.c.d.
/// </summary>
/// <remarks>
/// The view covers min(<see cref="TotalLength"/>, captured length) bytes, so trailing link-layer
/// padding is never part of <see cref="Payload"/>. A <c>default</c> value has no bytes; create views
/// with <see cref="TryParse"/> only.
/// </remarks>
public readonly ref partial struct Ipv4Header
{
    private readonly Span<byte> _bytes;

    private Ipv4Header(Span<byte> bytes) => _bytes = bytes;

    /// <summary>
    /// Parses the IPv4 header at the start of <paramref name="packet"/>.
    /// </summary>
    /// <param name="packet">Captured bytes starting at the IPv4 header; bytes past the total length are ignored.</param>
    /// <param name="header">On <see cref="PacketParseStatus.Ok"/>, the view; otherwise <c>default</c>.</param>
    /// <returns><see cref="PacketParseStatus.Ok"/> when the whole header (with options) is captured;
    /// <see cref="PacketParseStatus.Truncated"/>, <see cref="PacketParseStatus.BadIpVersion"/>,
    /// <see cref="PacketParseStatus.BadIpHeaderLength"/> (IHL below 5) or
    /// <see cref="PacketParseStatus.BadIpTotalLength"/> (total length below the header length) otherwise.
    /// Fragments parse as <see cref="PacketParseStatus.Ok"/>; see <see cref="IsFragment"/>.</returns>
    public static PacketParseStatus TryParse(Span<byte> packet, out Ipv4Header header)
    {
        header = default;
        if (packet.Length < Ipv4Fields.MinimumHeaderLength)
        {
            return PacketParseStatus.Truncated;
        }

        byte versionAndLength = packet[Ipv4Fields.VersionAndHeaderLengthPosition];
        if (versionAndLength >> 4 != Ipv4Fields.Version)
        {
            return PacketParseStatus.BadIpVersion;
        }

        int headerLength = (versionAndLength & Ipv4Fields.HeaderLengthMask) * Ipv4Fields.HeaderLengthUnit;
        if (headerLength < Ipv4Fields.MinimumHeaderLength)
        {
            return PacketParseStatus.BadIpHeaderLength;
        }

        if (packet.Length < headerLength)
        {
            return PacketParseStatus.Truncated;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Fields.TotalLengthPosition));
        if (totalLength < headerLength)
        {
            return PacketParseStatus.BadIpTotalLength;
        }

        header = new Ipv4Header(packet.Length > totalLength ? packet.Slice(0, totalLength) : packet);
        return PacketParseStatus.Ok;
    }

    /// <summary>The header length in bytes, options included (20 to 60).</summary>
    public int HeaderLength => (_bytes[Ipv4Fields.VersionAndHeaderLengthPosition] & Ipv4Fields.HeaderLengthMask) * Ipv4Fields.HeaderLengthUnit;

    /// <summary>The declared total length in bytes (header and payload), which may exceed what was captured.</summary>
    public int TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(Ipv4Fields.TotalLengthPosition));

    /// <summary>The DSCP and ECN byte.</summary>
    public byte DifferentiatedServices => _bytes[Ipv4Fields.DifferentiatedServicesPosition];

    /// <summary>The payload's protocol number (6 for TCP; see <see cref="IpProtocolNumbers"/>).</summary>
    public byte Protocol => _bytes[Ipv4Fields.ProtocolPosition];

    public byte Ttl => _bytes[Ipv4Fields.TtlPosition];

    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(Ipv4Fields.IdentificationPosition));

    public bool DontFragment => (FlagsAndFragmentOffset & Ipv4Fields.DontFragmentMask) != 0;

    public bool MoreFragments => (FlagsAndFragmentOffset & Ipv4Fields.MoreFragmentsMask) != 0;

    /// <summary>The fragment offset in bytes (the field counts 8-byte blocks).</summary>
    public int FragmentOffset => (FlagsAndFragmentOffset & Ipv4Fields.FragmentOffsetMask) * Ipv4Fields.FragmentOffsetUnit;

    /// <summary>True when this packet is part of a fragmented datagram: more fragments follow, or the offset is not 0.</summary>
    public bool IsFragment => (FlagsAndFragmentOffset & (Ipv4Fields.MoreFragmentsMask | Ipv4Fields.FragmentOffsetMask)) != 0;

    public uint SourceAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(Ipv4Fields.SourceAddressPosition));

    public uint DestinationAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(Ipv4Fields.DestinationAddressPosition));

    /// <summary>The stored header checksum.</summary>
    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(Ipv4Fields.ChecksumPosition));

    /// <summary>The option bytes between the fixed header and <see cref="HeaderLength"/> (empty for a 20-byte header).</summary>
    public Span<byte> Options => _bytes.Slice(Ipv4Fields.MinimumHeaderLength, HeaderLength - Ipv4Fields.MinimumHeaderLength);

    /// <summary>The whole header, options included.</summary>
    public Span<byte> Header => _bytes.Slice(0, HeaderLength);

    /// <summary>The captured payload: from the end of the header to min(<see cref="TotalLength"/>, captured length).</summary>
    public Span<byte> Payload => _bytes.Slice(HeaderLength);

    /// <summary>True when fewer than <see cref="TotalLength"/> bytes were captured (a snap length cut the packet).</summary>
    public bool IsTruncated => _bytes.Length < TotalLength;

    /// <summary>True when the stored header checksum matches the header bytes.</summary>
    public bool IsHeaderChecksumValid => InternetChecksum.Compute(Header) == 0;

    private ushort FlagsAndFragmentOffset => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(Ipv4Fields.FlagsAndFragmentOffsetPosition));
}
