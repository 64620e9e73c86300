using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// A view over an IPv6 header, its extension headers and the captured part of the upper-layer
/// payload (RFC 8200). It borrows the span it was parsed from and is valid only while that buffer is.
/// Multi-byte values are host-order numbers of the big-endian fields.
/// </summary>
/// <remarks>
/// The view covers min(40 + <see cref="PayloadLength"/>, captured length) bytes. Jumbograms (payload
/// length 0 with a Jumbo Payload option, RFC 2675) are not supported: their Hop-by-Hop header lies past
/// the declared length, so they parse as <see cref="PacketParseStatus.BadExtensionHeader"/>.
/// A <c>default</c> value has no bytes; create views with <see cref="TryParse"/> only.
/// </remarks>
public readonly ref partial struct Ipv6Header
{
    private readonly Span<byte> _bytes;
    private readonly int _upperLayerOffset;
    private readonly int _fragmentOffset;
    private readonly byte _upperLayerProtocol;
    private readonly bool _hasFragmentHeader;
    private readonly bool _moreFragments;

    private Ipv6Header(Span<byte> bytes, int upperLayerOffset, byte upperLayerProtocol, bool hasFragmentHeader, int fragmentOffset, bool moreFragments)
    {
        _bytes = bytes;
        _upperLayerOffset = upperLayerOffset;
        _upperLayerProtocol = upperLayerProtocol;
        _hasFragmentHeader = hasFragmentHeader;
        _fragmentOffset = fragmentOffset;
        _moreFragments = moreFragments;
    }

    /// <summary>The declared payload length in bytes (extension headers and upper layer), which may exceed what was captured.</summary>
    public int PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(Ipv6Fields.PayloadLengthPosition));

    /// <summary>The Next Header field of the fixed header (the first extension header's type, or the upper layer's).</summary>
    public byte NextHeader => _bytes[Ipv6Fields.NextHeaderPosition];

    public byte HopLimit => _bytes[Ipv6Fields.HopLimitPosition];

    public byte TrafficClass => (byte)(BinaryPrimitives.ReadUInt32BigEndian(_bytes) >> 20);

    /// <summary>The 20-bit flow label.</summary>
    public int FlowLabel => (int)(BinaryPrimitives.ReadUInt32BigEndian(_bytes) & 0xF_FFFF);

    /// <summary>
    /// The protocol after the last extension header that was walked: 6 for TCP;
    /// 50 (ESP) or 59 (No Next Header) stop the walk. For a non-first fragment it is the Fragment
    /// header's Next Header, and <see cref="UpperLayerPayload"/> holds fragment data, not a header.
    /// </summary>
    public byte UpperLayerProtocol => _upperLayerProtocol;

    /// <summary>The byte offset of the upper-layer header from the start of the IPv6 header (40 plus the extension headers).</summary>
    public int UpperLayerOffset => _upperLayerOffset;

    /// <summary>The total length of the extension headers walked, in bytes.</summary>
    public int ExtensionHeadersLength => _upperLayerOffset - Ipv6Fields.HeaderLength;

    /// <summary>True when a Fragment header marks this packet as part of a fragmented datagram (more fragments, or a nonzero offset).
    /// An atomic fragment (offset 0, M clear; RFC 6946) is not a fragment.</summary>
    public bool IsFragment => _hasFragmentHeader && (_moreFragments || _fragmentOffset != 0);

    /// <summary>True when a Fragment header was present, atomic or not.</summary>
    public bool HasFragmentHeader => _hasFragmentHeader;

    /// <summary>The Fragment header's offset in bytes, or 0 without one.</summary>
    public int FragmentOffset => _fragmentOffset;

    /// <summary>The Fragment header's M flag, or false without one.</summary>
    public bool MoreFragments => _moreFragments;

    /// <summary>The 16 source address bytes, network order.</summary>
    public Span<byte> SourceAddress => _bytes.Slice(Ipv6Fields.SourceAddressPosition, Ipv6Fields.AddressLength);

    /// <summary>The 16 destination address bytes, network order.</summary>
    public Span<byte> DestinationAddress => _bytes.Slice(Ipv6Fields.DestinationAddressPosition, Ipv6Fields.AddressLength);

    /// <summary>The captured bytes from <see cref="UpperLayerOffset"/> to the declared end of the packet.</summary>
    public Span<byte> UpperLayerPayload => _bytes.Slice(_upperLayerOffset);

    /// <summary>The declared upper-layer length: <see cref="PayloadLength"/> minus the extension headers.</summary>
    public int UpperLayerLength => PayloadLength - ExtensionHeadersLength;

    /// <summary>True when fewer than 40 + <see cref="PayloadLength"/> bytes were captured.</summary>
    public bool IsTruncated => _bytes.Length < Ipv6Fields.HeaderLength + PayloadLength;
}
