using TcpReplay.Engine.Channel;
using static TcpReplay.Engine.Tests.Channel.ChannelTestPackets;

namespace TcpReplay.Engine.Tests.Channel;

public class ClientRecordTests
{
    // msg_clt_t (tc_msg.h, packed): clt_ip u32 | clt_port u16 | type u16 | target_ip u32 | target_port u16, network order.
    private const string HelloHex = "00000000 0000 0006 00000000 0000";

    // CLIENT_ADD for 198.19.0.1:40000 → 198.18.0.30:8080.
    private const string AddHex = "c6130001 9c40 0001 c612001e 1f90";

    [Fact]
    public void HelloIsAllZeroExceptTheVersionSixInTheTypeField()
    {
        var bytes = new byte[ChannelProtocol.ClientRecordSize];

        ClientRecord.Hello.WriteTo(bytes);

        Assert.Equal(Hex(HelloHex), bytes);
        Assert.True(ClientRecord.Hello.IsHello);
        Assert.Equal(ChannelProtocol.InternalVersion, ClientRecord.Hello.Version);
    }

    [Fact]
    public void AddRecordIsWrittenBigEndianInTheCStructOrder()
    {
        var record = new ClientRecord(FakeClient(1), 40000, ClientRecordType.Add, Target, TargetPort);
        var bytes = new byte[ChannelProtocol.ClientRecordSize];

        record.WriteTo(bytes);

        Assert.Equal(Hex(AddHex), bytes);
        Assert.False(record.IsHello);
    }

    [Fact]
    public void AddRecordReadsBackToTheSameFields()
    {
        Assert.True(ClientRecord.TryRead(Hex(AddHex), out var record));

        Assert.Equal(new ClientRecord(0xC6130001, 40000, ClientRecordType.Add, 0xC612001E, 8080), record);
    }

    [Fact]
    public void ReadingUsesOnlyTheFirstFourteenBytes()
    {
        var bytes = Hex(AddHex + "ffff");

        Assert.True(ClientRecord.TryRead(bytes, out var record));
        Assert.Equal(8080, record.TargetPort);
    }

    [Fact]
    public void AnUnknownTypeIsReadAsItsNumber()
    {
        Assert.True(ClientRecord.TryRead(Hex("c6130001 9c40 0009 c612001e 1f90"), out var record));

        Assert.Equal((ClientRecordType)9, record.Type);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    public void ATruncatedRecordIsNotRead(int length)
    {
        Assert.False(ClientRecord.TryRead(Hex(AddHex).AsSpan(0, length), out var record));
        Assert.Equal(default, record);
    }

    [Fact]
    public void WritingIntoTooSmallADestinationThrows()
    {
        var record = new ClientRecord(1, 2, ClientRecordType.Add, 3, 4);

        Assert.Throws<ArgumentException>(() => record.WriteTo(new byte[13]));
    }
}
