using System.Buffers.Binary;
using PacketDotNet.Utils;
using TcpReplay.Engine.Packets;
using static TcpReplay.Engine.Tests.Packets.Ipv6Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

public class Ipv6HeaderTests
{
    [Fact]
    public void EveryFieldMatchesPacketDotNetOnRandomPackets()
    {
        var random = new Random(60);
        for (int i = 0; i < 500; i++)
        {
            byte[] bytes = RandomTcpPackets.Ipv6(random, maxPayload: 200);
            var expected = new Pdn.IPv6Packet(new ByteArraySegment((byte[])bytes.Clone()));

            Assert.Equal(PacketParseStatus.Ok, Ipv6Header.TryParse(bytes, out Ipv6Header header));

            OracleAssert.Ipv6Matches(expected, header);
            Assert.False(header.IsTruncated);
            Assert.False(header.IsFragment);
            Assert.Equal(expected.PayloadPacket.Bytes, header.UpperLayerPayload.ToArray());
        }
    }

    public static TheoryData<string, byte, byte[]> SingleExtensionHeaders => new()
    {
        { "Hop-by-Hop", HopByHopType, HopByHop(8) },
        { "Hop-by-Hop, 24 bytes", HopByHopType, HopByHop(24) },
        { "Destination Options", DestinationOptionsType, DestinationOptions(16) },
        { "Routing", RoutingType, Routing(24) },
        { "atomic Fragment", FragmentType, Fragment(0, more: false) },
    };

    [Theory]
    [MemberData(nameof(SingleExtensionHeaders))]
    public void ASingleExtensionHeaderIsSkippedAsPacketDotNetSkipsIt(string name, byte type, byte[] extension)
    {
        byte[] bytes = WithExtensions(RandomTcpPackets.Ipv6(new Random(61), maxPayload: 100), (type, extension));
        var expected = new Pdn.IPv6Packet(new ByteArraySegment((byte[])bytes.Clone()));

        Assert.Equal(PacketParseStatus.Ok, Ipv6Header.TryParse(bytes, out Ipv6Header header));

        Assert.True(expected.ExtensionHeadersLength == header.ExtensionHeadersLength, name);
        OracleAssert.Ipv6Matches(expected, header);
        Assert.Equal(IpProtocolNumbers.Tcp, header.UpperLayerProtocol);
    }

    [Fact]
    public void AChainOfEveryWalkedExtensionHeaderLeadsToTheTcpHeader()
    {
        byte[] plain = RandomTcpPackets.Ipv6(new Random(62), maxPayload: 100);
        byte[] bytes = WithExtensions(
            plain,
            (HopByHopType, HopByHop(8)),
            (DestinationOptionsType, DestinationOptions(16)),
            (RoutingType, Routing(24)),
            (AuthenticationHeaderType, AuthenticationHeader(24)),
            (FragmentType, Fragment(0, more: false)),
            (DestinationOptionsType, DestinationOptions(8)));

        Assert.Equal(PacketParseStatus.Ok, Ipv6Header.TryParse(bytes, out Ipv6Header header));

        Assert.Equal(40 + 8 + 16 + 24 + 24 + 8 + 8, header.UpperLayerOffset);
        Assert.Equal(IpProtocolNumbers.Tcp, header.UpperLayerProtocol);
        Assert.Equal(plain.AsSpan(40).ToArray(), header.UpperLayerPayload.ToArray());
        Assert.Equal(plain.Length - 40, header.UpperLayerLength);
        Assert.True(header.HasFragmentHeader);
        Assert.False(header.IsFragment);
    }

    [Fact]
    public void TheTcpChecksumStillVerifiesBehindExtensionHeaders()
    {
        // PacketDotNet computed the checksum without extension headers; the pseudo-header does not
        // include them (RFC 8200 §8.1), so it must verify unchanged behind them.
        var random = new Random(63);
        for (int i = 0; i < 100; i++)
        {
            byte[] bytes = WithExtensions(
                RandomTcpPackets.Ipv6(random, maxPayload: 300),
                (HopByHopType, HopByHop(8 * random.Next(1, 4))),
                (AuthenticationHeaderType, AuthenticationHeader(4 * random.Next(3, 8))),
                (DestinationOptionsType, DestinationOptions(8)));

            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(bytes, out TcpPacket packet));

            Assert.True(packet.VerifyChecksums());
        }
    }

    [Theory]
    [InlineData(IpProtocolNumbers.EncapsulatingSecurityPayload)]
    [InlineData(IpProtocolNumbers.NoNextHeader)]
    [InlineData(IpProtocolNumbers.Udp)]
    [InlineData((byte)135)] // Mobility: not walked
    public void TheWalkStopsAtAHeaderItDoesNotSkip(byte stop)
    {
        byte[] bytes = WithExtensions(RandomTcpPackets.Ipv6(new Random(64), maxPayload: 10), (HopByHopType, HopByHop(8)));
        bytes[40] = stop;

        Assert.Equal(PacketParseStatus.Ok, Ipv6Header.TryParse(bytes, out Ipv6Header header));

        Assert.Equal(stop, header.UpperLayerProtocol);
        Assert.Equal(48, header.UpperLayerOffset);
        Assert.Equal(PacketParseStatus.NotTcp, TcpPacket.TryParseIp(bytes, out _));
    }

    [Theory]
    [InlineData(0, true, true, PacketParseStatus.Ok)]
    [InlineData(0, false, false, PacketParseStatus.Ok)]
    [InlineData(8, true, true, PacketParseStatus.Fragment)]
    [InlineData(1480, false, true, PacketParseStatus.Fragment)]
    public void FragmentHeadersMarkFragmentsAndOnlyTheFirstParsesAsTcp(int offset, bool more, bool isFragment, PacketParseStatus tcpStatus)
    {
        byte[] bytes = WithExtensions(RandomTcpPackets.Ipv6(new Random(65), maxPayload: 40), (FragmentType, Fragment(offset, more)));

        Assert.Equal(PacketParseStatus.Ok, Ipv6Header.TryParse(bytes, out Ipv6Header header));

        Assert.True(header.HasFragmentHeader);
        Assert.Equal(isFragment, header.IsFragment);
        Assert.Equal(offset, header.FragmentOffset);
        Assert.Equal(more, header.MoreFragments);
        Assert.Equal(tcpStatus, TcpPacket.TryParseIp(bytes, out TcpPacket packet));
        if (tcpStatus == PacketParseStatus.Ok)
        {
            Assert.Equal(isFragment, packet.IsFragment);
        }
    }

    [Fact]
    public void HeadersAfterANonFirstFragmentAreNotWalked()
    {
        byte[] bytes = WithExtensions(
            RandomTcpPackets.Ipv6(new Random(66), maxPayload: 40),
            (FragmentType, Fragment(64, more: true)),
            (DestinationOptionsType, DestinationOptions(8)));

        Assert.Equal(PacketParseStatus.Ok, Ipv6Header.TryParse(bytes, out Ipv6Header header));

        Assert.Equal(48, header.UpperLayerOffset);
        Assert.Equal(DestinationOptionsType, header.UpperLayerProtocol);
    }

    [Fact]
    public void AnExtensionHeaderRunningPastThePayloadLengthIsBadExtensionHeader()
    {
        byte[] bytes = WithExtensions(RandomTcpPackets.Ipv6(new Random(67), maxPayload: 0), (HopByHopType, HopByHop(8)));
        bytes[41] = 200; // 1608 bytes, far past the declared payload

        Assert.Equal(PacketParseStatus.BadExtensionHeader, Ipv6Header.TryParse(bytes, out _));
    }

    [Fact]
    public void AnExtensionChainThatFillsThePayloadLengthLeavesNoRoomForTcp()
    {
        byte[] bytes = WithExtensions(RandomTcpPackets.Ipv6(new Random(68), maxPayload: 0), (HopByHopType, HopByHop(8)));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), 8);

        Assert.Equal(PacketParseStatus.Ok, Ipv6Header.TryParse(bytes, out Ipv6Header header));
        Assert.Equal(0, header.UpperLayerLength);
        Assert.Equal(PacketParseStatus.BadIpTotalLength, TcpPacket.TryParseIp(bytes, out _));

        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), 4);
        Assert.Equal(PacketParseStatus.BadExtensionHeader, Ipv6Header.TryParse(bytes, out _));
    }

    [Fact]
    public void AJumbogramIsBadExtensionHeader()
    {
        // RFC 2675: payload length 0 and the real length in a Hop-by-Hop option, which is not supported.
        byte[] bytes = WithExtensions(RandomTcpPackets.Ipv6(new Random(72), maxPayload: 10), (HopByHopType, HopByHop(8)));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), 0);

        Assert.Equal(PacketParseStatus.BadExtensionHeader, TcpPacket.TryParseIp(bytes, out _));
    }

    public static TheoryData<int> CutPointsOfAChainedPacket()
    {
        var data = new TheoryData<int>();
        for (int length = 0; length < ChainedPacket().Length; length++)
        {
            data.Add(length);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CutPointsOfAChainedPacket))]
    public void APacketWithExtensionHeadersCutAnywhereIsTruncated(int length)
    {
        byte[] bytes = ChainedPacket();
        const int tcpStart = 40 + 8 + 16 + 8;
        int tcpHeaderLength = (bytes[tcpStart + 12] >> 4) * 4;

        var ipStatus = Ipv6Header.TryParse(bytes.AsSpan(0, length), out Ipv6Header header);
        var tcpStatus = TcpPacket.TryParseIp(bytes.AsSpan(0, length), out TcpPacket packet);

        if (length < tcpStart)
        {
            Assert.Equal(PacketParseStatus.Truncated, ipStatus);
            Assert.Equal(PacketParseStatus.Truncated, tcpStatus);
        }
        else if (length < tcpStart + tcpHeaderLength)
        {
            Assert.Equal(PacketParseStatus.Ok, ipStatus);
            Assert.True(header.IsTruncated);
            Assert.Equal(PacketParseStatus.Truncated, tcpStatus);
        }
        else
        {
            Assert.Equal(PacketParseStatus.Ok, tcpStatus);
            Assert.True(packet.IsTruncated);
            Assert.Equal(length - tcpStart - tcpHeaderLength, packet.Tcp.Payload.Length);
            Assert.Equal(bytes.Length - tcpStart - tcpHeaderLength, packet.PayloadLength);
            Assert.False(packet.VerifyChecksums());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(15)]
    public void AVersionOtherThanSixIsBadIpVersion(int version)
    {
        byte[] bytes = RandomTcpPackets.Ipv6(new Random(69), maxPayload: 0);
        bytes[0] = (byte)((version << 4) | (bytes[0] & 0x0F));

        Assert.Equal(PacketParseStatus.BadIpVersion, Ipv6Header.TryParse(bytes, out _));
    }

    [Fact]
    public void BytesPastThePayloadLengthAreIgnored()
    {
        byte[] plain = RandomTcpPackets.Ipv6(new Random(70), maxPayload: 30);
        byte[] padded = [.. plain, 1, 2, 3, 4];

        Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(padded, out TcpPacket packet));

        Assert.Equal(plain.AsSpan(40).ToArray(), packet.Ipv6.UpperLayerPayload.ToArray());
        Assert.True(packet.VerifyChecksums());
    }

    private static byte[] ChainedPacket() => WithExtensions(
        RandomTcpPackets.Ipv6(new Random(71), maxPayload: 12),
        (HopByHopType, HopByHop(8)),
        (AuthenticationHeaderType, AuthenticationHeader(16)),
        (FragmentType, Fragment(0, more: false)));
}
