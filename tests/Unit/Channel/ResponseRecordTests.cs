using System.Buffers.Binary;
using PacketDotNet;
using PacketDotNet.Utils;
using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

public class ResponseRecordTests
{
    // SYN-ACK 198.18.0.30:8080 → 198.19.0.1:40000, IHL 5, data offset 10 (MSS, SACK-permitted, TS, NOP, WS).
    private const string SynAckHex =
        "4500003c 12344000 40069c43 c612001e c6130001" +
        "1f909c40 00001000 00002001 a012ffff 00000000" +
        "020405b4 0402080a 00000001 00000000 01030307";

    // ACK with NOP NOP TS and the 5-byte payload "hello".
    private const string AckHelloHex =
        "45000039 12344000 40069c46 c612001e c6130001" +
        "1f909c40 00001000 00002001 8018ffff 00000000" +
        "0101080a 00000002 00000001" +
        "68656c6c6f";

    [Fact]
    public void APacketWithoutIpOptionsAndAtMost24OptionBytesIsCopiedVerbatimAndZeroPadded()
    {
        var record = new byte[ChannelProtocol.ResponseRecordSize];

        var written = ResponseRecord.Encode(Hex(SynAckHex), withPayload: false, record);

        Assert.Equal(64, written);
        Assert.Equal(Hex(SynAckHex + "00000000"), record);
    }

    [Fact]
    public void ThePayloadVariantCarriesAShortPayloadRightAfterTheTcpHeader()
    {
        var record = new byte[ChannelProtocol.ResponseRecordWithPayloadSize];

        var written = ResponseRecord.Encode(Hex(AckHelloHex), withPayload: true, record);

        Assert.Equal(192, written);
        Assert.Equal(Hex(AckHelloHex).Concat(new byte[192 - 57]).ToArray(), record);
        Assert.True(ResponseRecord.TryGetPayload(record, out var payload));
        Assert.Equal("hello"u8.ToArray(), payload.ToArray());
    }

    [Fact]
    public void ThePlainVariantDropsThePayloadButKeepsItsLengthInTheTotalLength()
    {
        var record = new byte[ChannelProtocol.ResponseRecordSize];

        ResponseRecord.Encode(Hex(AckHelloHex), withPayload: false, record);

        Assert.Equal(Hex(AckHelloHex).AsSpan(0, 52).ToArray(), record.AsSpan(0, 52).ToArray());
        Assert.All(record.AsSpan(52).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(5, ResponseRecord.GetPayloadLength(record));
        Assert.False(ResponseRecord.TryGetPayload(record, out _));
    }

    [Fact]
    public void APayloadLongerThan128BytesIsNotCarriedButItsLengthIs()
    {
        var packet = Response(FakeClient(1), 40000, Ack | Psh, payloadLength: 129);
        var record = new byte[ChannelProtocol.ResponseRecordWithPayloadSize];

        ResponseRecord.Encode(packet, withPayload: true, record);

        Assert.All(record.AsSpan(40).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(129, ResponseRecord.GetPayloadLength(record));
        Assert.False(ResponseRecord.TryGetPayload(record, out _));
    }

    [Fact]
    public void APayloadOfExactly128BytesIsCarried()
    {
        var packet = Response(FakeClient(1), 40000, Ack | Psh, payloadLength: 128);
        var record = new byte[ChannelProtocol.ResponseRecordWithPayloadSize];

        ResponseRecord.Encode(packet, withPayload: true, record);

        Assert.True(ResponseRecord.TryGetPayload(record, out var payload));
        Assert.Equal(packet.AsSpan(40).ToArray(), payload.ToArray());
    }

    [Fact]
    public void IpOptionsAreDroppedAndTheHeaderIsRewrittenToIhlFiveWithAShorterTotalLengthAndAValidChecksum()
    {
        var packet = Response(FakeClient(1), 40000, Syn | Ack, payloadLength: 3, ipOptions: [1, 1, 1, 0], tcpOptions: [2, 4, 5, 180]);
        var record = new byte[ChannelProtocol.ResponseRecordSize];

        ResponseRecord.Encode(packet, withPayload: false, record);

        var ip = new IPv4Packet(new ByteArraySegment(record, 0, 20 + 24));
        Assert.Equal(5, ip.HeaderLength);
        Assert.Equal(packet.Length - 4, ip.TotalLength);
        Assert.True(ip.ValidIPChecksum);
        Assert.Equal(packet.AsSpan(24, 24).ToArray(), record.AsSpan(20, 24).ToArray());
        Assert.Equal(3, ResponseRecord.GetPayloadLength(record));
    }

    [Fact]
    public void TcpOptionsBeyond24BytesAreCutToWholeOptionsAndTheDataOffsetAndTotalLengthFollow()
    {
        // NOP NOP TS (12 bytes), NOP NOP SACK with 3 blocks (28 bytes): 40 option bytes, data offset 15.
        byte[] options =
        [
            1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9,
            1, 1, 5, 26, .. new byte[24],
        ];
        var packet = Response(FakeClient(1), 40000, Ack, payloadLength: 10, tcpOptions: options);
        var record = new byte[ChannelProtocol.ResponseRecordSize];

        ResponseRecord.Encode(packet, withPayload: false, record);

        var tcp = new TcpPacket(new ByteArraySegment(record, 20, 44));
        Assert.Equal(11, tcp.DataOffset);
        Assert.Equal(options.AsSpan(0, 14).ToArray(), record.AsSpan(40, 14).ToArray());
        Assert.All(record.AsSpan(54).ToArray(), b => Assert.Equal(0, b));
        Assert.Contains(tcp.OptionsCollection, o => o is PacketDotNet.Tcp.TimeStampOption);
        Assert.Equal(10, ResponseRecord.GetPayloadLength(record));
        Assert.Equal(20 + 44 + 10, BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(2)));
        Assert.True(new IPv4Packet(new ByteArraySegment(record, 0, 64)).ValidIPChecksum);
    }

    [Fact]
    public void PayloadFollowsTheCutTcpHeaderInThePayloadVariant()
    {
        byte[] options = [.. Enumerable.Repeat((byte)1, 28)];
        var packet = Response(FakeClient(1), 40000, Ack | Psh, payloadLength: 6, tcpOptions: options);
        var record = new byte[ChannelProtocol.ResponseRecordWithPayloadSize];

        ResponseRecord.Encode(packet, withPayload: true, record);

        Assert.True(ResponseRecord.TryGetPayload(record, out var payload));
        Assert.Equal("abcdef"u8.ToArray(), payload.ToArray());
        Assert.Equal("abcdef"u8.ToArray(), record.AsSpan(64, 6).ToArray());
    }

    [Fact]
    public void APayloadCutByTheCaptureLengthIsCarriedAsFarAsItWasCaptured()
    {
        var packet = Response(FakeClient(1), 40000, Ack | Psh, payloadLength: 50);
        var record = new byte[ChannelProtocol.ResponseRecordWithPayloadSize];

        ResponseRecord.Encode(packet.AsSpan(0, 40 + 20), withPayload: true, record);

        Assert.Equal(packet.AsSpan(40, 20).ToArray(), record.AsSpan(40, 20).ToArray());
        Assert.All(record.AsSpan(60).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(50, ResponseRecord.GetPayloadLength(record));
    }

    public static TheoryData<int> SynAckTruncationPoints()
    {
        var data = new TheoryData<int>();
        for (var length = 0; length < 60; length += 3)
        {
            data.Add(length);
        }

        data.Add(59);
        return data;
    }

    [Theory]
    [MemberData(nameof(SynAckTruncationPoints))]
    public void APacketCutInsideItsHeadersIsRefused(int length)
    {
        var record = new byte[ChannelProtocol.ResponseRecordSize];

        var status = ResponseRecord.TryEncode(Hex(SynAckHex).AsSpan(0, length), false, record, out var written);

        Assert.Equal(ResponseRecordStatus.TooShort, status);
        Assert.Equal(0, written);
        Assert.Equal(0, ResponseRecord.Encode(Hex(SynAckHex).AsSpan(0, length), false, record));
    }

    [Theory]
    [InlineData(0, 0x65, ResponseRecordStatus.NotIPv4)]
    [InlineData(0, 0x44, ResponseRecordStatus.BadIpHeaderLength)]
    [InlineData(9, 17, ResponseRecordStatus.NotTcp)]
    [InlineData(7, 0x10, ResponseRecordStatus.Fragment)]
    [InlineData(32, 0x40, ResponseRecordStatus.BadTcpHeaderLength)]
    [InlineData(3, 0x27, ResponseRecordStatus.BadTotalLength)]
    public void AMalformedPacketIsRefusedWithItsReason(int offset, byte value, ResponseRecordStatus expected)
    {
        var packet = Hex(SynAckHex);
        packet[offset] = value;
        var record = new byte[ChannelProtocol.ResponseRecordSize];

        Assert.Equal(expected, ResponseRecord.TryEncode(packet, false, record, out _));
        Assert.Equal(0, ResponseRecord.Encode(packet, false, record));
    }

    [Fact]
    public void EncodingIntoTooSmallADestinationThrows()
    {
        Assert.Throws<ArgumentException>(() => ResponseRecord.Encode(Hex(SynAckHex), true, new byte[64]));
    }

    [Fact]
    public void NormalizeLeavesACanonicalRecordUntouched()
    {
        var record = Hex(SynAckHex + "00000000");
        var before = record.ToArray();

        Assert.Equal(ResponseRecordStatus.Ok, ResponseRecord.Normalize(record, withPayload: false));

        Assert.Equal(before, record);
    }

    [Fact]
    public void NormalizeRewritesACRecordThatKeptIhlSixSoTheTcpHeaderIsFoundAtByte20()
    {
        // What C intercept sends for a packet with 4 bytes of IP options: the first 20 IP bytes as captured
        // (IHL 6, total length 64), then the TCP header copied from behind the options (router_update).
        var packet = Response(FakeClient(1), 40000, Ack, payloadLength: 20, ipOptions: [1, 1, 1, 0]);
        var record = new byte[64];
        packet.AsSpan(0, 20).CopyTo(record);
        packet.AsSpan(24, 20).CopyTo(record.AsSpan(20));

        Assert.Equal(ResponseRecordStatus.Ok, ResponseRecord.Normalize(record, withPayload: false));

        var ip = new IPv4Packet(new ByteArraySegment(record, 0, 40));
        Assert.Equal(5, ip.HeaderLength);
        Assert.True(ip.ValidIPChecksum);
        Assert.Equal(20, ResponseRecord.GetPayloadLength(record));
    }

    [Fact]
    public void NormalizeCutsACRecordWithDataOffsetFifteenAndMovesItsPayload()
    {
        // C copies 44 TCP header bytes, keeps data offset 15, and writes the payload at 20 + 60 = 80.
        byte[] options = [1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9, 1, 1, 5, 26, .. new byte[24]];
        var packet = Response(FakeClient(1), 40000, Ack | Psh, payloadLength: 4, tcpOptions: options);
        var record = new byte[192];
        packet.AsSpan(0, 20 + 44).CopyTo(record);
        packet.AsSpan(20 + 60, 4).CopyTo(record.AsSpan(80));

        Assert.Equal(ResponseRecordStatus.Ok, ResponseRecord.Normalize(record, withPayload: true));

        Assert.Equal(11, record[32] >> 4);
        Assert.True(ResponseRecord.TryGetPayload(record, out var payload));
        Assert.Equal("abcd"u8.ToArray(), payload.ToArray());
        Assert.All(record.AsSpan(68).ToArray(), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(0, 0x65, ResponseRecordStatus.NotIPv4)]
    [InlineData(0, 0x43, ResponseRecordStatus.BadIpHeaderLength)]
    [InlineData(9, 17, ResponseRecordStatus.NotTcp)]
    [InlineData(32, 0x30, ResponseRecordStatus.BadTcpHeaderLength)]
    [InlineData(3, 0x20, ResponseRecordStatus.BadTotalLength)]
    public void NormalizeRefusesAnInvalidRecord(int offset, byte value, ResponseRecordStatus expected)
    {
        var record = Hex(SynAckHex + "00000000");
        record[offset] = value;

        Assert.Equal(expected, ResponseRecord.Normalize(record, withPayload: false));
    }

    [Fact]
    public void NormalizeRefusesARecordShorterThanItsVariant()
    {
        Assert.Equal(ResponseRecordStatus.TooShort, ResponseRecord.Normalize(new byte[64], withPayload: true));
        Assert.Equal(ResponseRecordStatus.TooShort, ResponseRecord.Normalize(new byte[63], withPayload: false));
    }
}
