using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

public readonly ref partial struct Ipv6Header
{
    /// <summary>
    /// Parses the IPv6 header at the start of <paramref name="packet"/> and walks its extension
    /// headers: Hop-by-Hop Options (0), Routing (43), Fragment (44), Destination Options (60) and
    /// Authentication Header (51). ESP (50), No Next Header (59) and any other value end the walk
    /// as the upper-layer protocol; so does a Fragment header with a nonzero offset, because what
    /// follows it is the middle of the datagram.
    /// </summary>
    /// <param name="packet">Captured bytes starting at the IPv6 header; bytes past 40 + payload length are ignored.</param>
    /// <param name="header">On <see cref="PacketParseStatus.Ok"/>, the view; otherwise <c>default</c>.</param>
    /// <returns><see cref="PacketParseStatus.Ok"/> (fragments included, see <see cref="IsFragment"/>);
    /// <see cref="PacketParseStatus.Truncated"/> when the fixed header or an extension header is not
    /// fully captured; <see cref="PacketParseStatus.BadIpVersion"/>; or
    /// <see cref="PacketParseStatus.BadExtensionHeader"/> when an extension header runs past the declared payload length.</returns>
    public static PacketParseStatus TryParse(Span<byte> packet, out Ipv6Header header)
    {
        header = default;
        if (packet.Length < Ipv6Fields.HeaderLength)
        {
            return PacketParseStatus.Truncated;
        }

        if (packet[Ipv6Fields.VersionTrafficClassFlowLabelPosition] >> 4 != Ipv6Fields.Version)
        {
            return PacketParseStatus.BadIpVersion;
        }

        int declaredEnd = Ipv6Fields.HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv6Fields.PayloadLengthPosition));
        Span<byte> bytes = packet.Length > declaredEnd ? packet.Slice(0, declaredEnd) : packet;

        byte next = bytes[Ipv6Fields.NextHeaderPosition];
        int offset = Ipv6Fields.HeaderLength;
        bool hasFragmentHeader = false;
        bool moreFragments = false;
        int fragmentOffset = 0;

        // Every extension header is at least 8 bytes, so the walk ends within the declared length.
        while (IsWalkedExtensionHeader(next) && fragmentOffset == 0)
        {
            if (offset + Ipv6Fields.ExtensionMinimumLength > bytes.Length)
            {
                return offset + Ipv6Fields.ExtensionMinimumLength > declaredEnd
                    ? PacketParseStatus.BadExtensionHeader
                    : PacketParseStatus.Truncated;
            }

            int length = next switch
            {
                IpProtocolNumbers.Fragment => Ipv6Fields.FragmentHeaderLength,
                IpProtocolNumbers.AuthenticationHeader =>
                    (bytes[offset + Ipv6Fields.ExtensionLengthPosition] + Ipv6Fields.AuthenticationHeaderLengthBias) * Ipv6Fields.AuthenticationHeaderLengthUnit,
                _ => (bytes[offset + Ipv6Fields.ExtensionLengthPosition] + 1) * Ipv6Fields.ExtensionLengthUnit,
            };

            if (offset + length > declaredEnd)
            {
                return PacketParseStatus.BadExtensionHeader;
            }

            if (offset + length > bytes.Length)
            {
                return PacketParseStatus.Truncated;
            }

            if (next == IpProtocolNumbers.Fragment)
            {
                ushort offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(offset + Ipv6Fields.FragmentOffsetAndFlagsPosition));
                hasFragmentHeader = true;
                fragmentOffset = offsetAndFlags & Ipv6Fields.FragmentOffsetMask;
                moreFragments = (offsetAndFlags & Ipv6Fields.MoreFragmentsMask) != 0;
            }

            next = bytes[offset + Ipv6Fields.ExtensionNextHeaderPosition];
            offset += length;
        }

        header = new Ipv6Header(bytes, offset, next, hasFragmentHeader, fragmentOffset, moreFragments);
        return PacketParseStatus.Ok;
    }

    private static bool IsWalkedExtensionHeader(byte nextHeader) => nextHeader
        is IpProtocolNumbers.HopByHopOptions
        or IpProtocolNumbers.Routing
        or IpProtocolNumbers.Fragment
        or IpProtocolNumbers.DestinationOptions
        or IpProtocolNumbers.AuthenticationHeader;
}
