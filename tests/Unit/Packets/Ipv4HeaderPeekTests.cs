using PacketDotNet.Utils;
using TcpReplay.Engine.Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

public class Ipv4HeaderPeekTests
{
    [Fact]
    public void EveryFieldMatchesPacketDotNetOnRandomPackets()
    {
        var random = new Random(41);
        for (var i = 0; i < 300; i++)
        {
            var bytes = RandomTcpPackets.Ipv4(random, maxPayload: 200, withIpOptions: i % 2 == 0);
            var expected = new Pdn.IPv4Packet(new ByteArraySegment((byte[])bytes.Clone()));

            Assert.Equal(PacketParseStatus.Ok, Ipv4HeaderPeek.TryPeek(bytes, out var header));

            Assert.Equal(4, header.Version);
            Assert.Equal(expected.HeaderLength * 4, header.HeaderLength);
            Assert.Equal(expected.TotalLength, header.TotalLength);
            Assert.True(header.IsTcp);
            Assert.Equal(expected.FragmentOffset * 8, header.FragmentOffset);
            Assert.Equal(expected.SourceAddress.GetAddressBytes(), BigEndian(header.SourceAddress));
            Assert.Equal(expected.DestinationAddress.GetAddressBytes(), BigEndian(header.DestinationAddress));
            Assert.Equal(expected.PayloadPacket.Bytes, header.AfterHeader.ToArray());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(19)]
    public void FewerThanTheFixedHeaderIsTruncated(int length)
    {
        var bytes = RandomTcpPackets.Ipv4(new Random(1), maxPayload: 0);
        Assert.Equal(PacketParseStatus.Truncated, Ipv4HeaderPeek.TryPeek(bytes.AsSpan(0, length), out _));
    }

    [Fact]
    public void TheFixedHeaderAloneIsEnoughAndLeavesNothingAfterIt()
    {
        var bytes = RandomTcpPackets.Ipv4(new Random(2), ipOptionsLength: 8, RandomTcpPackets.Tcp(new Random(2), 10));
        Assert.Equal(PacketParseStatus.Ok, Ipv4HeaderPeek.TryPeek(bytes.AsSpan(0, 20), out var header));
        Assert.Equal(28, header.HeaderLength);
        Assert.True(header.AfterHeader.IsEmpty);
    }

    [Theory]
    [InlineData(0x65, PacketParseStatus.BadIpVersion)]
    [InlineData(0x44, PacketParseStatus.BadIpHeaderLength)]
    [InlineData(0x40, PacketParseStatus.BadIpHeaderLength)]
    public void AWrongVersionOrHeaderLengthIsRefused(byte versionAndLength, PacketParseStatus expected)
    {
        var bytes = RandomTcpPackets.Ipv4(new Random(3), maxPayload: 0);
        bytes[0] = versionAndLength;
        Assert.Equal(expected, Ipv4HeaderPeek.TryPeek(bytes, out _));
    }

    [Fact]
    public void TheTotalLengthDoesNotBoundTheBytesAfterTheHeader()
    {
        // Response records keep the captured packet's total length while carrying fewer (or other) bytes.
        var bytes = RandomTcpPackets.Ipv4(new Random(4), maxPayload: 0);
        bytes[2] = 0xFF;
        bytes[3] = 0xFF;
        Assert.Equal(PacketParseStatus.Ok, Ipv4HeaderPeek.TryPeek(bytes, out var header));
        Assert.Equal(65535, header.TotalLength);
        Assert.Equal(bytes.Length - 20, header.AfterHeader.Length);
    }

    [Fact]
    public void UdpIsNotTcpAndALaterFragmentHasAnOffset()
    {
        var bytes = RandomTcpPackets.Ipv4(new Random(5), maxPayload: 0);
        bytes[9] = IpProtocolNumbers.Udp;
        bytes[6] = 0x20;
        bytes[7] = 0x02;
        Assert.Equal(PacketParseStatus.Ok, Ipv4HeaderPeek.TryPeek(bytes, out var header));
        Assert.False(header.IsTcp);
        Assert.Equal(16, header.FragmentOffset);
    }

    private static byte[] BigEndian(uint address) => [(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address];
}
