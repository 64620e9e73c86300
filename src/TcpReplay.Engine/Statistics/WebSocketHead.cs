namespace TcpReplay.Engine.Statistics;

/// <summary>
/// Reads just enough of a client's bytes to tell a WebSocket opening handshake (RFC 6455 §4.1) and a client Close frame
/// (§5.5.1). Nothing is allocated; bytes that do not have the exact shape are "not WebSocket", never an error.
/// </summary>
public static class WebSocketHead
{
    private const byte FinAndClose = 0x88;
    private const byte MaskBit = 0x80;
    private const int MaskKeyLength = 4;
    private const int MaxControlPayload = 125;
    private static readonly byte[] UpgradeHeader = "\r\nupgrade:"u8.ToArray();
    private static readonly byte[] WebSocketToken = "websocket"u8.ToArray();

    /// <summary>
    /// True when <paramref name="payload"/> is an HTTP/1.1 request whose head asks for an upgrade to WebSocket (an
    /// <c>Upgrade: websocket</c> header, any case). Only the bytes given are read: a head split over segments whose
    /// first segment ends before the header is not recognised.
    /// </summary>
    public static bool IsUpgradeRequest(ReadOnlySpan<byte> payload)
    {
        if (!HttpHead.IsRequestStart(payload))
        {
            return false;
        }

        var headEnd = payload.IndexOf("\r\n\r\n"u8);
        var head = headEnd < 0 ? payload : payload[..headEnd];
        for (var at = IndexOfIgnoreCase(head, UpgradeHeader); at >= 0; at = NextIndexOfIgnoreCase(head, UpgradeHeader, at))
        {
            var value = head[(at + UpgradeHeader.Length)..];
            var lineEnd = value.IndexOf("\r\n"u8);
            if (lineEnd >= 0)
            {
                value = value[..lineEnd];
            }

            if (IndexOfIgnoreCase(value, WebSocketToken) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="payload"/> is exactly one client Close frame: FIN and opcode 8, masked (clients mask
    /// every frame), a payload of at most 125 bytes (a control frame's limit), and nothing after it.
    /// </summary>
    /// <remarks>
    /// The whole shape is required so that a binary frame's bytes that happen to start with 0x88 are not taken for a
    /// close; a Close sent in the same segment as other frames is not recognised (the TCP close is still held).
    /// </remarks>
    public static bool IsClientCloseFrame(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2 + MaskKeyLength || payload[0] != FinAndClose || (payload[1] & MaskBit) == 0)
        {
            return false;
        }

        var length = payload[1] & 0x7F;
        return length <= MaxControlPayload && payload.Length == 2 + MaskKeyLength + length;
    }

    private static int NextIndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCaseValue, int previous)
    {
        var start = previous + 1;
        var next = IndexOfIgnoreCase(text[start..], lowerCaseValue);
        return next < 0 ? -1 : start + next;
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCaseValue)
    {
        for (var i = 0; i + lowerCaseValue.Length <= text.Length; i++)
        {
            var match = true;
            for (var j = 0; j < lowerCaseValue.Length && match; j++)
            {
                var c = text[i + j];
                match = (c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c) == lowerCaseValue[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
