using System.Text;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Statistics;

public class WebSocketHeadTests
{
    private const string Upgrade = "GET /stream HTTP/1.1\r\nHost: 198.18.0.20:8080\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    [Theory]
    [InlineData(Upgrade)]
    [InlineData("GET /ws HTTP/1.1\r\nupgrade: WebSocket\r\nconnection: upgrade\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade:websocket\r\n")]
    public void AnUpgradeToWebSocketIsRecognisedInAnyCase(string request) =>
        Assert.True(WebSocketHead.IsUpgradeRequest(Encoding.ASCII.GetBytes(request)));

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /websocket HTTP/1.1\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\nUpgrade: websocket\r\n")]
    public void OtherRequestsAndBodiesAreNot(string bytes) =>
        Assert.False(WebSocketHead.IsUpgradeRequest(Encoding.Latin1.GetBytes(bytes)));

    [Fact]
    public void AMaskedCloseFrameAloneIsTheClientsClose()
    {
        Assert.True(WebSocketHead.IsClientCloseFrame(WebSocketFrames.Close("done")));
        Assert.True(WebSocketHead.IsClientCloseFrame(WebSocketFrames.Close("")));
    }

    [Fact]
    public void DataFramesUnmaskedClosesAndClosesWithMoreAfterThemAreNot()
    {
        Assert.False(WebSocketHead.IsClientCloseFrame(WebSocketFrames.Binary(640)));
        Assert.False(WebSocketHead.IsClientCloseFrame(WebSocketFrames.Text("end")));
        var unmasked = new byte[] { 0x88, 0x02, 0x03, 0xE8 };
        Assert.False(WebSocketHead.IsClientCloseFrame(unmasked));
        Assert.False(WebSocketHead.IsClientCloseFrame([.. WebSocketFrames.Close("done"), .. WebSocketFrames.Text("x")]));
        // Audio bytes that happen to start with 0x88: the length does not match the segment.
        var audio = new byte[640];
        audio[0] = 0x88;
        audio[1] = 0x85;
        Assert.False(WebSocketHead.IsClientCloseFrame(audio));
    }
}

/// <summary>Client WebSocket frames as a browser or the websockets library writes them: FIN set, masked.</summary>
internal static class WebSocketFrames
{
    private static readonly byte[] Mask = [0x37, 0xFA, 0x21, 0x3D];

    public static byte[] Binary(int length) => Frame(0x2, new byte[length]);

    public static byte[] Text(string text) => Frame(0x1, Encoding.UTF8.GetBytes(text));

    public static byte[] Close(string reason) => Frame(0x8, reason.Length == 0 ? [] : [0x03, 0xE8, .. Encoding.UTF8.GetBytes(reason)]);

    private static byte[] Frame(int opcode, byte[] payload)
    {
        var header = new List<byte> { (byte)(0x80 | opcode) };
        if (payload.Length < 126)
        {
            header.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            header.Add(0x80 | 126);
            header.Add((byte)(payload.Length >> 8));
            header.Add((byte)payload.Length);
        }

        header.AddRange(Mask);
        for (var i = 0; i < payload.Length; i++)
        {
            header.Add((byte)(payload[i] ^ Mask[i % 4]));
        }

        return [.. header];
    }
}
