using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// A read-only look at the fixed fields of an IPv4 header (RFC 791 §3.1), for code that needs a few of them before or
/// instead of a full <see cref="Ipv4Header.TryParse"/>: a capture filter counting ports, a response record of the
/// intercept channel, a packet on its way out. It borrows the span it was made from and is valid only while that
/// buffer is. Values are host-order numbers of the big-endian fields; addresses are 0xAABBCCDD for a.b.c.d.
/// </summary>
/// <remarks>
/// Unlike <see cref="Ipv4Header"/> it needs only the 20-byte fixed header: the options may be cut off and the total
/// length may disagree with the bytes, because the records and cut captures these callers read are like that.
/// A view made with the constructor is not checked; <see cref="TryPeek"/> checks the version and header length.
/// </remarks>
public readonly ref struct Ipv4HeaderPeek
{
    private readonly ReadOnlySpan<byte> _bytes;

    /// <summary>A view over <paramref name="packet"/> without checks; it must hold the 20-byte fixed header.</summary>
    /// <param name="packet">The bytes from the IPv4 header on.</param>
    public Ipv4HeaderPeek(ReadOnlySpan<byte> packet) => _bytes = packet;

    /// <summary>Looks at the IPv4 header at the start of <paramref name="packet"/>.</summary>
    /// <param name="packet">The bytes from the IPv4 header on; only the first 20 must be present.</param>
    /// <param name="header">On <see cref="PacketParseStatus.Ok"/>, the view; otherwise <c>default</c>.</param>
    /// <returns><see cref="PacketParseStatus.Ok"/>; <see cref="PacketParseStatus.Truncated"/> (fewer than 20 bytes),
    /// <see cref="PacketParseStatus.BadIpVersion"/> or <see cref="PacketParseStatus.BadIpHeaderLength"/> (IHL below 5).</returns>
    public static PacketParseStatus TryPeek(ReadOnlySpan<byte> packet, out Ipv4HeaderPeek header)
    {
        header = default;
        if (packet.Length < Ipv4Fields.MinimumHeaderLength)
        {
            return PacketParseStatus.Truncated;
        }

        var view = new Ipv4HeaderPeek(packet);
        if (view.Version != Ipv4Fields.Version)
        {
            return PacketParseStatus.BadIpVersion;
        }

        if (view.HeaderLength < Ipv4Fields.MinimumHeaderLength)
        {
            return PacketParseStatus.BadIpHeaderLength;
        }

        header = view;
        return PacketParseStatus.Ok;
    }

    /// <summary>The version nibble (4 for IPv4).</summary>
    public int Version => _bytes[Ipv4Fields.VersionAndHeaderLengthPosition] >> 4;

    /// <summary>The header length in bytes the IHL field declares, options included (0 to 60); the bytes may not all be present.</summary>
    public int HeaderLength => (_bytes[Ipv4Fields.VersionAndHeaderLengthPosition] & Ipv4Fields.HeaderLengthMask) * Ipv4Fields.HeaderLengthUnit;

    /// <summary>The declared total length in bytes (header and payload).</summary>
    public int TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(Ipv4Fields.TotalLengthPosition));

    /// <summary>The payload's protocol number (see <see cref="IpProtocolNumbers"/>).</summary>
    public byte Protocol => _bytes[Ipv4Fields.ProtocolPosition];

    /// <summary>True when the payload is TCP.</summary>
    public bool IsTcp => Protocol == IpProtocolNumbers.Tcp;

    /// <summary>The fragment offset in bytes; not 0 for a fragment that holds no transport header.</summary>
    public int FragmentOffset =>
        (BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(Ipv4Fields.FlagsAndFragmentOffsetPosition)) & Ipv4Fields.FragmentOffsetMask) * Ipv4Fields.FragmentOffsetUnit;

    public uint SourceAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(Ipv4Fields.SourceAddressPosition));

    public uint DestinationAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(Ipv4Fields.DestinationAddressPosition));

    /// <summary>
    /// The bytes after <see cref="HeaderLength"/>, up to the end of the span (the total length does not bound them);
    /// empty when the span ends inside the header.
    /// </summary>
    public ReadOnlySpan<byte> AfterHeader => _bytes.Length > HeaderLength ? _bytes.Slice(HeaderLength) : default;
}
