using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// Finds where the IPv4 header starts behind a link-layer header, bounds-checked. Minimal on purpose (the auto
/// probe counts ports with it); the full link views live in Engine/Packets.
/// </summary>
internal static class LinkHeader
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const int EtherTypeOffset = 12;
    private const int VlanTagLength = 4;
    private const int MaxVlanTags = 2;
    private const int SllHeaderLength = 16;
    private const int SllProtocolOffset = 14;
    private const int Sll2HeaderLength = 20;
    private const int LoopbackHeaderLength = 4;

    // BSD AF_INET is 2 on every platform that writes DLT_NULL/DLT_LOOP captures.
    private const uint AddressFamilyInet = 2;

    /// <summary>Offset of the IPv4 header, or false when the frame is not IPv4 or too short.</summary>
    public static bool TryGetIpv4Offset(ReadOnlySpan<byte> frame, LinkType linkType, out int offset)
    {
        offset = 0;
        switch (linkType)
        {
            case LinkType.Raw:
            case LinkType.Ipv4:
                return frame.Length > 0 && frame[0] >> 4 == 4;

            case LinkType.Ethernet:
                {
                    var typeOffset = EtherTypeOffset;
                    for (var tags = 0; ; tags++)
                    {
                        if (frame.Length < typeOffset + 2)
                        {
                            return false;
                        }

                        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[typeOffset..]);
                        if ((etherType == EtherTypeVlan || etherType == EtherTypeQinQ) && tags < MaxVlanTags)
                        {
                            typeOffset += VlanTagLength;
                            continue;
                        }

                        offset = typeOffset + 2;
                        return etherType == EtherTypeIpv4;
                    }
                }

            case LinkType.LinuxSll:
                offset = SllHeaderLength;
                return frame.Length >= SllHeaderLength
                    && BinaryPrimitives.ReadUInt16BigEndian(frame[SllProtocolOffset..]) == EtherTypeIpv4;

            case LinkType.LinuxSll2:
                offset = Sll2HeaderLength;
                return frame.Length >= Sll2HeaderLength && BinaryPrimitives.ReadUInt16BigEndian(frame) == EtherTypeIpv4;

            case LinkType.Null:
                offset = LoopbackHeaderLength;
                return frame.Length >= LoopbackHeaderLength
                    && (BinaryPrimitives.ReadUInt32LittleEndian(frame) == AddressFamilyInet
                        || BinaryPrimitives.ReadUInt32BigEndian(frame) == AddressFamilyInet);

            case LinkType.Loop:
                offset = LoopbackHeaderLength;
                return frame.Length >= LoopbackHeaderLength && BinaryPrimitives.ReadUInt32BigEndian(frame) == AddressFamilyInet;

            default:
                return false;
        }
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
