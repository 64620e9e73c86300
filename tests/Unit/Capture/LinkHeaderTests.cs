using System.Buffers.Binary;
using TcpReplay.Engine.Capture;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Capture;

public class LinkHeaderTests
{
    private static readonly byte[] Ip = Ipv4TcpPortsTests.TcpPacketBytes(51000, 8080);

    [Theory]
    [InlineData(LinkType.Ethernet, 14)]
    [InlineData(LinkType.LinuxSll, 16)]
    [InlineData(LinkType.LinuxSll2, 20)]
    [InlineData(LinkType.Null, 4)]
    [InlineData(LinkType.Loop, 4)]
    [InlineData(LinkType.Raw, 0)]
    [InlineData(LinkType.Ipv4, 0)]
    public void FindsTheIpv4HeaderBehindEachLinkHeader(LinkType linkType, int expected)
    {
        var frame = Frame(linkType);
        Assert.True(LinkHeader.TryGetIpv4Offset(frame, linkType, out var offset));
        Assert.Equal(expected, offset);
        Assert.True(Ipv4TcpPorts.TryRead(frame.AsSpan(offset), out _, out _, out var port));
        Assert.Equal(8080, port);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SkipsVlanTags(int tags)
    {
        var frame = new byte[12 + (4 * tags) + 2 + Ip.Length];
        for (var i = 0; i < tags; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12 + (4 * i)), i == 0 && tags == 2 ? (ushort)0x88A8 : (ushort)0x8100);
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12 + (4 * tags)), 0x0800);
        Ip.CopyTo(frame, 14 + (4 * tags));
        Assert.True(LinkHeader.TryGetIpv4Offset(frame, LinkType.Ethernet, out var offset));
        Assert.Equal(14 + (4 * tags), offset);
    }

    [Theory]
    [InlineData(LinkType.Ethernet)]
    [InlineData(LinkType.LinuxSll)]
    [InlineData(LinkType.LinuxSll2)]
    [InlineData(LinkType.Null)]
    public void ATruncatedLinkHeaderIsRefused(LinkType linkType)
    {
        var frame = Frame(linkType);
        LinkHeader.TryGetIpv4Offset(frame, linkType, out var offset);
        for (var length = 0; length < Math.Max(offset, 1); length++)
        {
            Assert.False(LinkHeader.TryGetIpv4Offset(frame.AsSpan(0, length), linkType, out _), $"length {length}");
        }
    }

    [Fact]
    public void AnotherEtherTypeIsNotIpv4()
    {
        var frame = Frame(LinkType.Ethernet);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x86DD);
        Assert.False(LinkHeader.TryGetIpv4Offset(frame, LinkType.Ethernet, out _));
    }

    [Theory]
    [InlineData(1, LinkType.Ethernet)]
    [InlineData(12, LinkType.Raw)]
    [InlineData(14, LinkType.Raw)]
    [InlineData(101, LinkType.Raw)]
    [InlineData(113, LinkType.LinuxSll)]
    [InlineData(276, LinkType.LinuxSll2)]
    [InlineData(0, LinkType.Null)]
    public void MapsLibpcapDatalinkValuesToLinkTypes(int dlt, LinkType expected)
    {
        Assert.True(LinkHeader.TryFromDatalink(dlt, out var linkType));
        Assert.Equal(expected, linkType);
    }

    [Theory]
    [InlineData(105)] // 802.11
    [InlineData(-1)]
    [InlineData(70000)]
    public void RefusesDatalinksItCannotParse(int dlt) => Assert.False(LinkHeader.TryFromDatalink(dlt, out _));

    private static byte[] Frame(LinkType linkType)
    {
        byte[] header = linkType switch
        {
            LinkType.Ethernet => [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00],
            LinkType.LinuxSll => [0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00],
            LinkType.LinuxSll2 => [0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0, 0, 0, 0, 0, 1, 0, 0],
            LinkType.Null => [2, 0, 0, 0],
            LinkType.Loop => [0, 0, 0, 2],
            _ => [],
        };
        return [.. header, .. Ip];
    }
}
