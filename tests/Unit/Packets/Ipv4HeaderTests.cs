using System.Buffers.Binary;
using PacketDotNet.Utils;
using TcpReplay.Engine.Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

public class Ipv4HeaderTests
{
    [Fact]
    public void EveryFieldMatchesPacketDotNetOnRandomPackets()
    {
        var random = new Random(40);
        for (int i = 0; i < 500; i++)
        {
            byte[] bytes = RandomTcpPackets.Ipv4(random, maxPayload: 200, withIpOptions: i % 2 == 0);
            var expected = new Pdn.IPv4Packet(new ByteArraySegment((byte[])bytes.Clone()));

            Assert.Equal(PacketParseStatus.Ok, Ipv4Header.TryParse(bytes, out Ipv4Header header));

            OracleAssert.Ipv4Matches(expected, header);
            Assert.True(header.IsHeaderChecksumValid);
            Assert.False(header.IsTruncated);
            Assert.Equal(expected.PayloadData ?? expected.PayloadPacket.Bytes, header.Payload.ToArray());
        }
    }

    [Fact]
    public void PayloadStopsAtTheTotalLengthWhenTheFrameHasPadding()
    {
        byte[] packet = RandomTcpPackets.Ipv4(new Random(41), maxPayload: 0);
        byte[] padded = [.. packet, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE];

        Assert.Equal(PacketParseStatus.Ok, Ipv4Header.TryParse(padded, out Ipv4Header header));

        Assert.Equal(packet.Length - 20, header.Payload.Length);
        Assert.DoesNotContain((byte)0xEE, header.Payload.ToArray());
        Assert.False(header.IsTruncated);
    }

    [Fact]
    public void PayloadStopsAtTheCapturedBytesWhenTheSnapLengthCutThePacket()
    {
        byte[] packet = RandomTcpPackets.Ipv4(new Random(42), maxPayload: 0);
        Span<byte> cut = packet.AsSpan(0, 30);

        Assert.Equal(PacketParseStatus.Ok, Ipv4Header.TryParse(cut, out Ipv4Header header));

        Assert.Equal(10, header.Payload.Length);
        Assert.True(header.IsTruncated);
        Assert.Equal(packet.Length, header.TotalLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(19)]
    public void FewerThanTwentyBytesAreTruncated(int length)
    {
        Assert.Equal(PacketParseStatus.Truncated, Ipv4Header.TryParse(new byte[length], out _));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(59)]
    public void AHeaderWhoseOptionsAreCutIsTruncated(int length)
    {
        byte[] packet = Header(headerLength: 60, totalLength: 100);

        Assert.Equal(PacketParseStatus.Truncated, Ipv4Header.TryParse(packet.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(15)]
    public void AVersionOtherThanFourIsBadIpVersion(int version)
    {
        byte[] packet = Header(headerLength: 20, totalLength: 20);
        packet[0] = (byte)((version << 4) | 5);

        Assert.Equal(PacketParseStatus.BadIpVersion, Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void AHeaderLengthBelowFiveWordsIsBadIpHeaderLength(int words)
    {
        byte[] packet = Header(headerLength: 20, totalLength: 20);
        packet[0] = (byte)(0x40 | words);

        Assert.Equal(PacketParseStatus.BadIpHeaderLength, Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(20, 0)]
    [InlineData(20, 19)]
    [InlineData(24, 23)]
    [InlineData(60, 20)]
    public void ATotalLengthBelowTheHeaderLengthIsBadIpTotalLength(int headerLength, int totalLength)
    {
        byte[] packet = Header(headerLength, totalLength);

        Assert.Equal(PacketParseStatus.BadIpTotalLength, Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(0x0000, false, false, 0, false)]
    [InlineData(0x4000, true, false, 0, false)]
    [InlineData(0x2000, false, true, 0, true)]
    [InlineData(0x2001, false, true, 8, true)]
    [InlineData(0x0172, false, false, 0x172 * 8, true)]
    [InlineData(0x1FFF, false, false, 0x1FFF * 8, true)]
    public void FragmentFieldsAreDecodedWithTheOffsetInBytes(int flagsAndOffset, bool dontFragment, bool moreFragments, int offset, bool isFragment)
    {
        byte[] packet = Header(headerLength: 20, totalLength: 20);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), (ushort)flagsAndOffset);

        Assert.Equal(PacketParseStatus.Ok, Ipv4Header.TryParse(packet, out Ipv4Header header));

        Assert.Equal(dontFragment, header.DontFragment);
        Assert.Equal(moreFragments, header.MoreFragments);
        Assert.Equal(offset, header.FragmentOffset);
        Assert.Equal(isFragment, header.IsFragment);
    }

    [Fact]
    public void SettersKeepTheHeaderChecksumAsPacketDotNetComputesIt()
    {
        var random = new Random(43);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = RandomTcpPackets.Ipv4(random, maxPayload: 20, withIpOptions: i % 3 == 0);
            Assert.Equal(PacketParseStatus.Ok, Ipv4Header.TryParse(bytes, out Ipv4Header header));
            uint source = (uint)random.NextInt64(0, 1L << 32);
            uint destination = (uint)random.NextInt64(0, 1L << 32);
            byte ttl = (byte)random.Next(0, 256);

            header.SetSourceAddress(source);
            header.SetDestinationAddress(destination);
            header.SetTtl(ttl);

            var expected = new Pdn.IPv4Packet(new ByteArraySegment(bytes));
            Assert.Equal(source, BinaryPrimitives.ReadUInt32BigEndian(expected.SourceAddress.GetAddressBytes()));
            Assert.Equal(destination, BinaryPrimitives.ReadUInt32BigEndian(expected.DestinationAddress.GetAddressBytes()));
            Assert.Equal(ttl, expected.TimeToLive);
            Assert.True(expected.ValidIPChecksum);
            Assert.Equal(expected.CalculateIPChecksum(), header.HeaderChecksum);
        }
    }

    [Fact]
    public void UpdateHeaderChecksumRepairsACorruptChecksum()
    {
        byte[] bytes = RandomTcpPackets.Ipv4(new Random(44), maxPayload: 10, withIpOptions: true);
        bytes[10] ^= 0x5A;
        Assert.Equal(PacketParseStatus.Ok, Ipv4Header.TryParse(bytes, out Ipv4Header header));
        Assert.False(header.IsHeaderChecksumValid);

        header.UpdateHeaderChecksum();

        Assert.True(header.IsHeaderChecksumValid);
        Assert.True(new Pdn.IPv4Packet(new ByteArraySegment(bytes)).ValidIPChecksum);
    }

    private static byte[] Header(int headerLength, int totalLength)
    {
        byte[] packet = new byte[Math.Max(headerLength, totalLength)];
        packet[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)totalLength);
        packet[9] = 6;
        for (int i = 20; i < headerLength; i++)
        {
            packet[i] = 1;
        }

        return packet;
    }
}
