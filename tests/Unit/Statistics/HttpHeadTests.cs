using System.Text;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Statistics;

public class HttpHeadTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n", 200)]
    [InlineData("HTTP/1.0 404 Not Found\r\n", 404)]
    [InlineData("HTTP/1.1 500\r\n", 500)]
    [InlineData("HTTP/1.1 204\n", 204)]
    public void StatusLineGivesItsCode(string head, int expected)
    {
        Assert.True(HttpHead.TryGetStatusCode(Encoding.ASCII.GetBytes(head), out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("HTTP/2 200 OK\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n")]
    [InlineData("HTTP/1.1 20x OK\r\n")]
    [InlineData("HTTP/1.1 099 OK\r\n")]
    [InlineData("http/1.1 200 OK\r\n")]
    [InlineData("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
    public void AnythingElseIsNoStatusLine(string head)
    {
        Assert.False(HttpHead.TryGetStatusCode(Encoding.ASCII.GetBytes(head), out var code));
        Assert.Equal(0, code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(11)]
    [InlineData(12)]
    public void StatusLineCutBeforeTheByteAfterTheCodeIsNotRead(int length)
    {
        var head = "HTTP/1.1 200 OK\r\n"u8.ToArray();
        Assert.False(HttpHead.TryGetStatusCode(head.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("POST /api/items HTTP/1.1\r\n")]
    [InlineData("OPTIONS * HTTP/1.1\r\n")]
    [InlineData("GET http://example/ HTTP/1.1\r\n")]
    [InlineData("PROPFIND /d")]
    [InlineData("GET /")]
    public void RequestLinesAreRequestStarts(string head) => Assert.True(HttpHead.IsRequestStart(Encoding.ASCII.GetBytes(head)));

    [Theory]
    [InlineData("")]
    [InlineData("GET")]
    [InlineData("GET ")]
    [InlineData("get / HTTP/1.1")]
    [InlineData(" GET /")]
    [InlineData("GET  /")]
    [InlineData("{\"id\": 1}")]
    [InlineData("AVERYLONGTOKENNAMEX /")]
    public void OtherBytesAreNoRequestStart(string head) => Assert.False(HttpHead.IsRequestStart(Encoding.ASCII.GetBytes(head)));
}
