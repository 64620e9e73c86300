using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// Finds where the IP packet starts in a captured frame, for the link types of <see cref="LinkType"/>.
/// Reads only the link-layer header; never throws on malformed frames.
/// </summary>
public static class LinkLayer
{
    /// <summary>
    /// Finds the offset of the IP header within <paramref name="frame"/>.
    /// </summary>
    /// <param name="linkType">The capture's link type.</param>
    /// <param name="frame">The captured bytes, starting at the link-layer header.</param>
    /// <param name="offset">On <see cref="PacketParseStatus.Ok"/>, the byte offset of the IP header (it may equal the frame length); otherwise 0.</param>
    /// <returns><see cref="PacketParseStatus.Ok"/>, <see cref="PacketParseStatus.Truncated"/> (link header incomplete),
    /// <see cref="PacketParseStatus.NotIp"/> or <see cref="PacketParseStatus.UnsupportedLinkType"/>.</returns>
    public static PacketParseStatus TryGetNetworkOffset(LinkType linkType, ReadOnlySpan<byte> frame, out int offset)
        => TryGetNetworkOffset(linkType, frame, out offset, out _);

    /// <summary>
    /// Finds the offset of the IP header within <paramref name="frame"/>, and the IP version the link
    /// layer announces.
    /// </summary>
    /// <param name="linkType">The capture's link type.</param>
    /// <param name="frame">The captured bytes, starting at the link-layer header.</param>
    /// <param name="offset">On <see cref="PacketParseStatus.Ok"/>, the byte offset of the IP header; otherwise 0.</param>
    /// <param name="ipVersion">4 or 6 when the link layer names the protocol (EtherType, address family,
    /// <see cref="LinkType.Ipv4"/>/<see cref="LinkType.Ipv6"/>); 0 for <see cref="LinkType.Raw"/>, where only the IP header says.</param>
    public static PacketParseStatus TryGetNetworkOffset(LinkType linkType, ReadOnlySpan<byte> frame, out int offset, out int ipVersion)
    {
        offset = 0;
        ipVersion = 0;
        switch (linkType)
        {
            case LinkType.Ethernet:
                return TryGetEthernetOffset(frame, out offset, out ipVersion);

            case LinkType.LinuxSll:
                return TryGetEtherTypeOffset(frame, LinuxSllFields.ProtocolTypePosition, LinuxSllFields.HeaderLength, out offset, out ipVersion);

            case LinkType.LinuxSll2:
                return TryGetEtherTypeOffset(frame, LinuxSll2Fields.ProtocolTypePosition, LinuxSll2Fields.HeaderLength, out offset, out ipVersion);

            case LinkType.Null:
                return TryGetLoopbackOffset(frame, acceptHostOrder: true, out offset, out ipVersion);

            case LinkType.Loop:
                return TryGetLoopbackOffset(frame, acceptHostOrder: false, out offset, out ipVersion);

            case LinkType.Raw:
                return PacketParseStatus.Ok;

            case LinkType.Ipv4:
                ipVersion = Ipv4Fields.Version;
                return PacketParseStatus.Ok;

            case LinkType.Ipv6:
                ipVersion = Ipv6Fields.Version;
                return PacketParseStatus.Ok;

            default:
                return PacketParseStatus.UnsupportedLinkType;
        }
    }

    private static PacketParseStatus TryGetEthernetOffset(ReadOnlySpan<byte> frame, out int offset, out int ipVersion)
    {
        offset = 0;
        ipVersion = 0;
        if (frame.Length < EthernetFields.HeaderLength)
        {
            return PacketParseStatus.Truncated;
        }

        int position = EthernetFields.HeaderLength;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(EthernetFields.EtherTypePosition));

        // Stacked tags (802.1ad outer, 802.1Q inner, or a pre-standard 0x9100 outer) each add 4 bytes;
        // the loop ends because every pass consumes 4 bytes of a finite frame.
        while (etherType is EtherTypes.Vlan or EtherTypes.ProviderBridging or EtherTypes.QinQLegacy)
        {
            if (frame.Length < position + EthernetFields.VlanTagLength)
            {
                return PacketParseStatus.Truncated;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(position + EthernetFields.VlanInnerEtherTypePosition));
            position += EthernetFields.VlanTagLength;
        }

        return FromEtherType(etherType, position, out offset, out ipVersion);
    }

    private static PacketParseStatus TryGetEtherTypeOffset(ReadOnlySpan<byte> frame, int protocolPosition, int headerLength, out int offset, out int ipVersion)
    {
        offset = 0;
        ipVersion = 0;
        if (frame.Length < headerLength)
        {
            return PacketParseStatus.Truncated;
        }

        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(protocolPosition));
        return FromEtherType(protocol, headerLength, out offset, out ipVersion);
    }

    private static PacketParseStatus FromEtherType(ushort etherType, int position, out int offset, out int ipVersion)
    {
        switch (etherType)
        {
            case EtherTypes.Ipv4:
                offset = position;
                ipVersion = Ipv4Fields.Version;
                return PacketParseStatus.Ok;

            case EtherTypes.Ipv6:
                offset = position;
                ipVersion = Ipv6Fields.Version;
                return PacketParseStatus.Ok;

            default:
                offset = 0;
                ipVersion = 0;
                return PacketParseStatus.NotIp;
        }
    }

    private static PacketParseStatus TryGetLoopbackOffset(ReadOnlySpan<byte> frame, bool acceptHostOrder, out int offset, out int ipVersion)
    {
        offset = 0;
        ipVersion = 0;
        if (frame.Length < LoopbackFields.HeaderLength)
        {
            return PacketParseStatus.Truncated;
        }

        // LINKTYPE_NULL stores the family in the byte order of the machine that wrote the capture,
        // which the reader cannot know; the valid values are small, so either order is unambiguous.
        uint family = BinaryPrimitives.ReadUInt32BigEndian(frame);
        ipVersion = VersionOfAddressFamily(family);
        if (ipVersion == 0 && acceptHostOrder)
        {
            ipVersion = VersionOfAddressFamily(BinaryPrimitives.ReadUInt32LittleEndian(frame));
        }

        if (ipVersion == 0)
        {
            return PacketParseStatus.NotIp;
        }

        offset = LoopbackFields.HeaderLength;
        return PacketParseStatus.Ok;
    }

    private static int VersionOfAddressFamily(uint family) => family switch
    {
        LoopbackFields.AfInet => Ipv4Fields.Version,
        LoopbackFields.AfInet6Bsd or LoopbackFields.AfInet6FreeBsd or LoopbackFields.AfInet6Darwin => Ipv6Fields.Version,
        _ => 0,
    };
}
