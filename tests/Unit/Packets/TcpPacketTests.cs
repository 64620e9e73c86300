using System.Buffers.Binary;
using System.Net;
using PacketDotNet.Utils;
using TcpReplay.Engine.Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

public class TcpPacketTests
{
    public static TheoryData<LinkType> LinkTypes => new(Enum.GetValues<LinkType>());

    [Theory]
    [MemberData(nameof(LinkTypes))]
    public void RandomPacketsInEveryLinkTypeMatchPacketDotNet(LinkType linkType)
    {
        var random = new Random((int)linkType);
        for (int i = 0; i < 300; i++)
        {
            byte[] ip = linkType switch
            {
                LinkType.Ipv4 => RandomTcpPackets.Ipv4(random, withIpOptions: i % 4 == 0),
                LinkType.Ipv6 => RandomTcpPackets.Ipv6(random),
                _ => RandomTcpPackets.Ip(random),
            };
            byte[] frame = LinkFrames.Wrap(linkType, ip, out int networkOffset);
            Pdn.IPPacket expected = Oracle(linkType, frame, ip);

            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(linkType, frame, out TcpPacket packet));

            Assert.Equal(networkOffset, packet.NetworkOffset);
            Assert.False(packet.IsTruncated);
            Assert.False(packet.IsFragment);
            OracleAssert.PacketMatches(expected, packet);
            Assert.True(packet.VerifyChecksums());
        }
    }

    [Fact]
    public void VlanTaggedFramesMatchPacketDotNet()
    {
        var random = new Random(80);
        for (int i = 0; i < 200; i++)
        {
            byte[] ip = RandomTcpPackets.Ip(random);
            ushort etherType = ip[0] >> 4 == 6 ? LinkFrames.EtherTypeIpv6 : LinkFrames.EtherTypeIpv4;
            byte[] frame = [.. LinkFrames.Ethernet(etherType, (0x8100, (ushort)random.Next(0, 4096))), .. ip];
            var expected = Pdn.Packet.ParsePacket(Pdn.LinkLayers.Ethernet, frame).Extract<Pdn.IPPacket>();

            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(LinkType.Ethernet, frame, out TcpPacket packet));

            Assert.Equal(18, packet.NetworkOffset);
            OracleAssert.PacketMatches(expected, packet);
        }
    }

    [Fact]
    public void ComputeChecksumsGivesWhatPacketDotNetComputes()
    {
        var random = new Random(81);
        for (int i = 0; i < 500; i++)
        {
            byte[] ip = RandomTcpPackets.Ip(random);
            // Spoil the TCP checksum, and for IPv4 the header checksum too.
            int tcpStart = ip[0] >> 4 == 4 ? (ip[0] & 0x0F) * 4 : 40;
            ip[tcpStart + 16] ^= 0xFF;
            if (ip[0] >> 4 == 4)
            {
                ip[10] ^= 0xFF;
            }

            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(ip, out TcpPacket packet));
            Assert.False(packet.VerifyChecksums());

            packet.ComputeChecksums();

            Assert.True(packet.VerifyChecksums());
            var expected = OracleIp(ip);
            var expectedTcp = (Pdn.TcpPacket)expected.PayloadPacket;
            Assert.True(expectedTcp.ValidTcpChecksum);
            Assert.Equal(expectedTcp.CalculateTcpChecksum(), packet.Tcp.Checksum);
            if (expected is Pdn.IPv4Packet v4)
            {
                Assert.True(v4.ValidIPChecksum);
                Assert.Equal(v4.CalculateIPChecksum(), packet.Ipv4.HeaderChecksum);
            }
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void RewritesKeepTheChecksumsAsPacketDotNetComputesThem(int version)
    {
        var random = new Random(82 + version);
        for (int i = 0; i < 1000; i++)
        {
            byte[] ip = version == 4 ? RandomTcpPackets.Ipv4(random, withIpOptions: i % 3 == 0) : RandomTcpPackets.Ipv6(random);
            byte[] frame = LinkFrames.Wrap(LinkType.Ethernet, ip, out _);
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(LinkType.Ethernet, frame, out TcpPacket packet));

            var applied = RandomRewrites.Apply(random, packet);

            var expected = Pdn.Packet.ParsePacket(Pdn.LinkLayers.Ethernet, frame).Extract<Pdn.IPPacket>();
            var expectedTcp = (Pdn.TcpPacket)expected.PayloadPacket;
            applied.AssertVisibleIn(expected);
            Assert.True(expectedTcp.ValidTcpChecksum, applied.ToString());
            Assert.Equal(expectedTcp.CalculateTcpChecksum(), packet.Tcp.Checksum);
            if (expected is Pdn.IPv4Packet v4)
            {
                Assert.True(v4.ValidIPChecksum, applied.ToString());
                Assert.Equal(v4.CalculateIPChecksum(), packet.Ipv4.HeaderChecksum);
            }

            Assert.True(packet.VerifyChecksums());
        }
    }

    [Fact]
    public void RewritesOfAnOptionAtAnOddOffsetKeepTheChecksumRight()
    {
        // NOP, MSS at offset 21, NOP, NOP, Timestamps at offset 27 (TSecr at 33), NOP, NOP, NOP.
        byte[] options = [1, 2, 4, 0x05, 0xB4, 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1];
        var random = new Random(84);
        byte[] ip = RandomTcpPackets.Ipv4(random, 0, RandomTcpPackets.Tcp(random, options, payloadLength: 33));
        Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(ip, out TcpPacket packet));

        Assert.True(packet.Tcp.TrySetMss(0x1234));
        Assert.True(packet.Tcp.TrySetTimestampEcho(0xA1B2C3D4));
        Assert.True(packet.Tcp.TrySetTimestampValue(0x0F0E0D0C));

        var expectedTcp = (Pdn.TcpPacket)OracleIp(ip).PayloadPacket;
        Assert.True(expectedTcp.ValidTcpChecksum);
        Assert.Equal(0x1234, expectedTcp.OptionsCollection.OfType<Pdn.Tcp.MaximumSegmentSizeOption>().Single().Value);
        var timestamps = expectedTcp.OptionsCollection.OfType<Pdn.Tcp.TimeStampOption>().Single();
        Assert.Equal(0xA1B2C3D4u, timestamps.EchoReply);
        Assert.Equal(0x0F0E0D0Cu, timestamps.Value);
    }

    [Fact]
    public void RewritesOfATruncatedCaptureKeepTheChecksumOfTheWholeSegmentRight()
    {
        var random = new Random(85);
        for (int i = 0; i < 200; i++)
        {
            byte[] ip = RandomTcpPackets.Ip(random);
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(ip, out TcpPacket whole));
            int headers = ip.Length - whole.Tcp.Payload.Length;
            if (whole.PayloadLength == 0)
            {
                continue;
            }

            // The cut view shares the buffer: the rewrite must leave the full segment's checksum valid.
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(ip.AsSpan(0, random.Next(headers, ip.Length)), out TcpPacket cut));
            Assert.True(cut.IsTruncated);
            cut.ComputeChecksums();
            RandomRewrites.Apply(random, cut);

            Assert.False(cut.VerifyChecksums());
            Assert.True(((Pdn.TcpPacket)OracleIp(ip).PayloadPacket).ValidTcpChecksum);
        }
    }

    [Fact]
    public void SourceAndDestinationAddressesAreIpv4MappedForIpv4()
    {
        byte[] ip = RandomTcpPackets.Ipv4(new Random(86), maxPayload: 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip.AsSpan(12), 0xC6120001);
        BinaryPrimitives.WriteUInt32BigEndian(ip.AsSpan(16), 0xC613FFFE);

        Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(ip, out TcpPacket packet));

        Assert.Equal(IPAddress.Parse("::ffff:198.18.0.1"), new IPAddress(ToBytes(packet.SourceAddress128)));
        Assert.Equal(IPAddress.Parse("198.19.255.254"), IpAddress128.ToIPAddress(packet.DestinationAddress128));
    }

    [Fact]
    public void SourceAndDestinationAddressesAreTheBigEndianBytesForIpv6()
    {
        byte[] ip = RandomTcpPackets.Ipv6(new Random(87), maxPayload: 0);
        IPAddress.Parse("2001:db8::1").GetAddressBytes().CopyTo(ip, 8);
        IPAddress.Parse("2001:db8:ffff::abcd").GetAddressBytes().CopyTo(ip, 24);

        Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(ip, out TcpPacket packet));

        Assert.Equal(new UInt128(0x2001_0db8_0000_0000, 1), packet.SourceAddress128);
        Assert.Equal(IPAddress.Parse("2001:db8:ffff::abcd"), IpAddress128.ToIPAddress(packet.DestinationAddress128));
    }

    [Fact]
    public void AFirstIpv4FragmentWithACompleteTcpHeaderParses()
    {
        byte[] ip = RandomTcpPackets.Ipv4(new Random(88), maxPayload: 100);
        ip[6] |= 0x20; // MF

        Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(ip, out TcpPacket packet));

        Assert.True(packet.IsFragment);
        Assert.True(packet.Ipv4.IsFragment);
        Assert.Equal(ip.Length - 20 - packet.Tcp.HeaderLength, packet.PayloadLength);
    }

    [Theory]
    [InlineData(0x0001)]
    [InlineData(0x2001)]
    [InlineData(0x1FFF)]
    public void ALaterIpv4FragmentIsFragment(int flagsAndOffset)
    {
        byte[] ip = RandomTcpPackets.Ipv4(new Random(89), maxPayload: 100);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), (ushort)flagsAndOffset);

        Assert.Equal(PacketParseStatus.Fragment, TcpPacket.TryParseIp(ip, out _));
    }

    [Theory]
    [InlineData(8, PacketParseStatus.BadIpTotalLength)]
    [InlineData(19, PacketParseStatus.BadIpTotalLength)]
    [InlineData(20, PacketParseStatus.BadTcpHeaderLength)]
    [InlineData(39, PacketParseStatus.BadTcpHeaderLength)]
    [InlineData(40, PacketParseStatus.Ok)]
    public void AnIpLengthTooShortForTheTcpHeaderIsALengthErrorUnlessMoreFragmentsFollow(int tcpBytes, PacketParseStatus withoutMoreFragments)
    {
        byte[] options = [2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
        var random = new Random(90);
        byte[] ip = RandomTcpPackets.Ipv4(random, 0, RandomTcpPackets.Tcp(random, options, payloadLength: 50));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)(20 + tcpBytes));

        Assert.Equal(withoutMoreFragments, TcpPacket.TryParseIp(ip, out _));

        ip[6] |= 0x20;
        var expected = withoutMoreFragments == PacketParseStatus.Ok ? PacketParseStatus.Ok : PacketParseStatus.Fragment;
        Assert.Equal(expected, TcpPacket.TryParseIp(ip, out _));
    }

    [Theory]
    [InlineData(17)]
    [InlineData(1)]
    [InlineData(50)]
    public void AnIpv4PacketOfAnotherProtocolIsNotTcp(byte protocol)
    {
        byte[] ip = RandomTcpPackets.Ipv4(new Random(91), maxPayload: 10);
        ip[9] = protocol;

        Assert.Equal(PacketParseStatus.NotTcp, TcpPacket.TryParseIp(ip, out _));
    }

    [Theory]
    [InlineData(LinkType.Ethernet, 6)]
    [InlineData(LinkType.Ipv4, 6)]
    [InlineData(LinkType.Ipv6, 4)]
    [InlineData(LinkType.Null, 6)]
    [InlineData(LinkType.LinuxSll2, 6)]
    public void AnIpVersionThatDisagreesWithTheLinkLayerIsBadIpVersion(LinkType linkType, int actualVersion)
    {
        // The link header announces IPv4 (IPv6 for LinkType.Ipv6); the packet is the other version.
        byte[] announced = LinkFrames.Wrap(linkType, [actualVersion == 6 ? (byte)0x45 : (byte)0x60], out int offset);
        byte[] ip = actualVersion == 6 ? RandomTcpPackets.Ipv6(new Random(92)) : RandomTcpPackets.Ipv4(new Random(92));
        byte[] frame = [.. announced.AsSpan(0, offset), .. ip];

        Assert.Equal(PacketParseStatus.BadIpVersion, TcpPacket.TryParse(linkType, frame, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(15)]
    public void ARawPacketOfAnUnknownVersionIsBadIpVersion(int version)
    {
        byte[] ip = RandomTcpPackets.Ipv4(new Random(93), maxPayload: 10);
        ip[0] = (byte)((version << 4) | 5);

        Assert.Equal(PacketParseStatus.BadIpVersion, TcpPacket.TryParse(LinkType.Raw, ip, out _));
    }

    [Fact]
    public void AnEmptyIpPacketIsTruncated()
    {
        Assert.Equal(PacketParseStatus.Truncated, TcpPacket.TryParseIp([], out _));
        Assert.Equal(PacketParseStatus.Truncated, TcpPacket.TryParse(LinkType.Ethernet, LinkFrames.Ethernet(LinkFrames.EtherTypeIpv4), out _));
    }

    [Fact]
    public void Ipv4RewritesOfAnIpv6PacketThrow()
    {
        byte[] ip = RandomTcpPackets.Ipv6(new Random(94));

        Assert.Throws<InvalidOperationException>(() =>
        {
            TcpPacket.TryParseIp(ip, out TcpPacket packet);
            packet.RewriteIpv4Destination(1, 2);
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            TcpPacket.TryParseIp(ip, out TcpPacket packet);
            packet.RewriteIpv4Source(1, 2);
        });
    }

    internal static Pdn.IPPacket Oracle(LinkType linkType, byte[] frame, byte[] ip) => linkType switch
    {
        LinkType.Ethernet => Pdn.Packet.ParsePacket(Pdn.LinkLayers.Ethernet, frame).Extract<Pdn.IPPacket>(),
        LinkType.LinuxSll => Pdn.Packet.ParsePacket(Pdn.LinkLayers.LinuxSll, frame).Extract<Pdn.IPPacket>(),
        LinkType.LinuxSll2 => Pdn.Packet.ParsePacket(Pdn.LinkLayers.LinuxSll2, frame).Extract<Pdn.IPPacket>(),
        LinkType.Null => Pdn.Packet.ParsePacket(Pdn.LinkLayers.Null, frame).Extract<Pdn.IPPacket>(),

        // PacketDotNet 1.4.8 has no decoder for LINKTYPE_LOOP, _IPV4 and _IPV6: read the IP bytes directly.
        _ => OracleIp(ip),
    };

    internal static Pdn.IPPacket OracleIp(byte[] ip) => ip[0] >> 4 == 6
        ? new Pdn.IPv6Packet(new ByteArraySegment(ip))
        : new Pdn.IPv4Packet(new ByteArraySegment(ip));

    private static byte[] ToBytes(UInt128 value)
    {
        byte[] bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return bytes;
    }
}
