using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

public class LinkHelloTests
{
    [Fact]
    public void APlainLinkSendsOnlyTheHello()
    {
        var bytes = new byte[LinkHello.MaxLength];

        var length = LinkHello.Write(bytes, askPayloadBytes: 0);

        Assert.Equal(ChannelProtocol.ClientRecordSize, length);
        Assert.True(ClientRecord.TryRead(bytes.AsSpan(0, length), out var hello));
        Assert.Equal(ClientRecord.Hello, hello);
    }

    [Fact]
    public void ALinkThatAsksForPayloadsSendsTheRequestRightAfterTheHello()
    {
        var bytes = new byte[LinkHello.MaxLength];

        var length = LinkHello.Write(bytes, askPayloadBytes: 64);

        Assert.Equal(2 * ChannelProtocol.ClientRecordSize, length);
        Assert.True(ClientRecord.TryRead(bytes.AsSpan(0, ChannelProtocol.ClientRecordSize), out var hello));
        Assert.Equal(ClientRecord.Hello, hello);
        Assert.True(ClientRecord.TryRead(bytes.AsSpan(ChannelProtocol.ClientRecordSize), out var request));
        Assert.Equal(ResponsePayloadExtension.CreateRequest(64), request);
    }
}
