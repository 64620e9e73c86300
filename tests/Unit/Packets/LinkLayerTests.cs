using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Packets;

public class LinkLayerTests
{
    public static TheoryData<string, byte[], int, int> EthernetFrames => new()
    {
        { "untagged IPv4", LinkFrames.Ethernet(LinkFrames.EtherTypeIpv4), 14, 4 },
        { "untagged IPv6", LinkFrames.Ethernet(LinkFrames.EtherTypeIpv6), 14, 6 },
        { "802.1Q", LinkFrames.Ethernet(LinkFrames.EtherTypeIpv4, (0x8100, 100)), 18, 4 },
        { "802.1ad over 802.1Q", LinkFrames.Ethernet(LinkFrames.EtherTypeIpv6, (0x88A8, 10), (0x8100, 20)), 22, 6 },
        { "0x9100 over 802.1Q", LinkFrames.Ethernet(LinkFrames.EtherTypeIpv4, (0x9100, 10), (0x8100, 20)), 22, 4 },
        { "three tags", LinkFrames.Ethernet(LinkFrames.EtherTypeIpv4, (0x88A8, 1), (0x8100, 2), (0x8100, 3)), 26, 4 },
    };

    [Theory]
    [MemberData(nameof(EthernetFrames))]
    public void EthernetFramesGiveTheOffsetAfterAllVlanTags(string name, byte[] header, int expectedOffset, int expectedVersion)
    {
        var status = LinkLayer.TryGetNetworkOffset(LinkType.Ethernet, header, out int offset, out int version);

        Assert.True(status == PacketParseStatus.Ok, name);
        Assert.Equal(expectedOffset, offset);
        Assert.Equal(expectedVersion, version);
    }

    [Theory]
    [MemberData(nameof(EthernetFrames))]
    public void EthernetHeadersCutAnywhereAreTruncated(string name, byte[] header, int expectedOffset, int expectedVersion)
    {
        _ = expectedVersion;
        for (int length = 0; length < expectedOffset; length++)
        {
            var status = LinkLayer.TryGetNetworkOffset(LinkType.Ethernet, header.AsSpan(0, length), out int offset);

            Assert.True(status == PacketParseStatus.Truncated, $"{name} cut at {length}: {status}");
            Assert.Equal(0, offset);
        }
    }

    [Theory]
    [InlineData((ushort)0x0806)] // ARP
    [InlineData((ushort)0x88CC)] // LLDP
    [InlineData((ushort)0x05DC)] // an 802.3 length field
    public void EthernetFramesOfOtherProtocolsAreNotIp(ushort etherType)
    {
        Assert.Equal(PacketParseStatus.NotIp, LinkLayer.TryGetNetworkOffset(LinkType.Ethernet, LinkFrames.Ethernet(etherType), out _));
        Assert.Equal(PacketParseStatus.NotIp, LinkLayer.TryGetNetworkOffset(LinkType.Ethernet, LinkFrames.Ethernet(etherType, (0x8100, 5)), out _));
    }

    [Theory]
    [InlineData(LinkType.LinuxSll, LinkFrames.EtherTypeIpv4, 16, 4)]
    [InlineData(LinkType.LinuxSll, LinkFrames.EtherTypeIpv6, 16, 6)]
    [InlineData(LinkType.LinuxSll2, LinkFrames.EtherTypeIpv4, 20, 4)]
    [InlineData(LinkType.LinuxSll2, LinkFrames.EtherTypeIpv6, 20, 6)]
    public void LinuxCookedHeadersGiveTheirFixedLength(LinkType linkType, ushort protocol, int expectedOffset, int expectedVersion)
    {
        byte[] header = linkType == LinkType.LinuxSll ? LinkFrames.LinuxSll(protocol) : LinkFrames.LinuxSll2(protocol);

        Assert.Equal(PacketParseStatus.Ok, LinkLayer.TryGetNetworkOffset(linkType, header, out int offset, out int version));
        Assert.Equal(expectedOffset, offset);
        Assert.Equal(expectedVersion, version);
        for (int length = 0; length < header.Length; length++)
        {
            Assert.Equal(PacketParseStatus.Truncated, LinkLayer.TryGetNetworkOffset(linkType, header.AsSpan(0, length), out _));
        }
    }

    [Theory]
    [InlineData(LinkType.LinuxSll)]
    [InlineData(LinkType.LinuxSll2)]
    public void LinuxCookedFramesOfOtherProtocolsAreNotIp(LinkType linkType)
    {
        byte[] header = linkType == LinkType.LinuxSll ? LinkFrames.LinuxSll(0x0806) : LinkFrames.LinuxSll2(0x0806);

        Assert.Equal(PacketParseStatus.NotIp, LinkLayer.TryGetNetworkOffset(linkType, header, out _));
    }

    [Theory]
    [InlineData(2u, true, 4)]
    [InlineData(2u, false, 4)]
    [InlineData(24u, true, 6)]
    [InlineData(28u, true, 6)]
    [InlineData(30u, true, 6)]
    [InlineData(30u, false, 6)]
    [InlineData(28u, false, 6)]
    public void NullHeadersAreReadInEitherByteOrder(uint family, bool littleEndian, int expectedVersion)
    {
        byte[] header = LinkFrames.Loopback(family, littleEndian);

        Assert.Equal(PacketParseStatus.Ok, LinkLayer.TryGetNetworkOffset(LinkType.Null, header, out int offset, out int version));
        Assert.Equal(4, offset);
        Assert.Equal(expectedVersion, version);
    }

    [Theory]
    [InlineData(2u, 4)]
    [InlineData(24u, 6)]
    public void LoopHeadersAreReadInNetworkOrder(uint family, int expectedVersion)
    {
        Assert.Equal(PacketParseStatus.Ok, LinkLayer.TryGetNetworkOffset(LinkType.Loop, LinkFrames.Loopback(family, littleEndian: false), out int offset, out int version));
        Assert.Equal(4, offset);
        Assert.Equal(expectedVersion, version);

        Assert.Equal(PacketParseStatus.NotIp, LinkLayer.TryGetNetworkOffset(LinkType.Loop, LinkFrames.Loopback(family, littleEndian: true), out _));
    }

    [Theory]
    [InlineData(LinkType.Null, 7u)]
    [InlineData(LinkType.Null, 0u)]
    [InlineData(LinkType.Loop, 17u)]
    public void LoopbackHeadersOfOtherFamiliesAreNotIp(LinkType linkType, uint family)
    {
        Assert.Equal(PacketParseStatus.NotIp, LinkLayer.TryGetNetworkOffset(linkType, LinkFrames.Loopback(family, littleEndian: false), out _));
    }

    [Theory]
    [InlineData(LinkType.Null)]
    [InlineData(LinkType.Loop)]
    public void LoopbackHeadersShorterThanFourBytesAreTruncated(LinkType linkType)
    {
        for (int length = 0; length < 4; length++)
        {
            Assert.Equal(PacketParseStatus.Truncated, LinkLayer.TryGetNetworkOffset(linkType, new byte[length], out _));
        }
    }

    [Theory]
    [InlineData(LinkType.Raw, 0)]
    [InlineData(LinkType.Ipv4, 4)]
    [InlineData(LinkType.Ipv6, 6)]
    public void RawIpLinkTypesStartAtOffsetZero(LinkType linkType, int expectedVersion)
    {
        Assert.Equal(PacketParseStatus.Ok, LinkLayer.TryGetNetworkOffset(linkType, [], out int offset, out int version));
        Assert.Equal(0, offset);
        Assert.Equal(expectedVersion, version);
    }

    [Theory]
    [InlineData((ushort)9)] // PPP
    [InlineData((ushort)12)] // DLT_RAW on OpenBSD, not a LINKTYPE value
    [InlineData((ushort)105)] // 802.11
    [InlineData((ushort)0xFFFF)]
    public void OtherLinkTypesAreUnsupported(ushort value)
    {
        Assert.Equal(PacketParseStatus.UnsupportedLinkType, LinkLayer.TryGetNetworkOffset((LinkType)value, new byte[64], out _));
    }
}
