using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

public class CombinedFrameTests
{
    // u16 count (network order) + 2 × msg_server_t: a SYN-ACK and a bare ACK, each zero-padded to 64 bytes.
    private const string TwoRecordFrameHex =
        "0002" +
        "4500003c 12344000 40069c43 c612001e c6130001 1f909c40 00001000 00002001 a012ffff 00000000" +
        "020405b4 0402080a 00000001 00000000 01030307 00000000" +
        "45000028 12344000 40069c57 c612001e c6130001 1f909c40 00001000 00002001 5010ffff 00000000" +
        "00000000 00000000 00000000 00000000 00000000 00000000";

    [Fact]
    public void AFrameOfTwoRecordsIsReadWithItsCountAndLength()
    {
        var frame = Hex(TwoRecordFrameHex);

        Assert.Equal(CombinedFrameStatus.Ok, CombinedFrame.TryRead(frame, withPayload: false, out var count, out var length));

        Assert.Equal(2, count);
        Assert.Equal(2 + (2 * 64), length);
        Assert.Equal(frame.Length, length);
    }

    [Fact]
    public void AFrameBuiltFromEncodedRecordsMatchesTheRecordedBytes()
    {
        var frame = new byte[2 + 128];
        CombinedFrame.WriteCount(frame, 2);
        ResponseRecord.Encode(Hex("4500003c123440004006 9c43c612001ec61300011f909c400000100000002001a012ffff00000000020405b40402080a000000010000000001030307"), false, frame.AsSpan(2));
        ResponseRecord.Encode(Hex("450000281234400040069c57c612001ec61300011f909c4000001000000020015010ffff00000000"), false, frame.AsSpan(66));

        Assert.Equal(Hex(TwoRecordFrameHex), frame);
    }

    [Fact]
    public void ACountOfZeroIsAnEmptyFrame()
    {
        Assert.Equal(CombinedFrameStatus.Ok, CombinedFrame.TryRead(Hex("0000"), false, out var count, out var length));
        Assert.Equal(0, count);
        Assert.Equal(2, length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(65)]
    [InlineData(66)]
    [InlineData(129)]
    public void AFrameCutShortIsIncomplete(int length)
    {
        Assert.Equal(CombinedFrameStatus.Incomplete, CombinedFrame.TryRead(Hex(TwoRecordFrameHex).AsSpan(0, length), false, out _, out _));
    }

    [Theory]
    [InlineData(false, 16, CombinedFrameStatus.Incomplete)]
    [InlineData(false, 17, CombinedFrameStatus.CountTooLarge)]
    [InlineData(true, 6, CombinedFrameStatus.Incomplete)]
    [InlineData(true, 7, CombinedFrameStatus.CountTooLarge)]
    [InlineData(false, 0xFFFF, CombinedFrameStatus.CountTooLarge)]
    public void ACountAboveTheMaximumOfItsVariantIsAProtocolError(bool withPayload, int count, CombinedFrameStatus expected)
    {
        var header = new byte[2];
        CombinedFrame.WriteCount(header, count);

        Assert.Equal(expected, CombinedFrame.TryRead(header, withPayload, out _, out _));
    }

    [Fact]
    public void TheCountIsWrittenBigEndian()
    {
        var header = new byte[2];

        CombinedFrame.WriteCount(header, 0x0102);

        Assert.Equal(new byte[] { 1, 2 }, header);
    }

    [Fact]
    public void FrameSizesFollowTheCConstants()
    {
        Assert.Equal(2 + (16 * 64), ChannelProtocol.MaxFrameSize(withPayload: false));
        Assert.Equal(2 + (6 * 192), ChannelProtocol.MaxFrameSize(withPayload: true));
    }
}
