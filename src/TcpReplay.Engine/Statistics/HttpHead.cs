namespace TcpReplay.Engine.Statistics;

/// <summary>
/// Reads just enough of the first bytes of a TCP payload to tell an HTTP/1.x request line or status line
/// (RFC 9112 §3 and §4). Nothing is allocated and nothing beyond the given span is read; bytes that do not have the
/// exact shape are "not HTTP", never an error.
/// </summary>
public static class HttpHead
{
    // RFC 9110 §9: method names are tokens; the registered ones are at most 7 letters. Longer tokens are accepted up to
    // this length so extension methods (PROPFIND, MKCOL) count too.
    private const int MaxMethodLength = 16;

    /// <summary>
    /// True when <paramref name="payload"/> starts like an HTTP/1.x request line: an upper-case method token followed by
    /// one space and a request target that starts with '/', '*' or a letter (absolute form), e.g. <c>GET /x HTTP/1.1</c>.
    /// The version at the end of the line is not required: the first segment may end before it.
    /// </summary>
    public static bool IsRequestStart(ReadOnlySpan<byte> payload)
    {
        var method = 0;
        while (method < payload.Length && method <= MaxMethodLength && payload[method] is >= (byte)'A' and <= (byte)'Z')
        {
            method++;
        }

        if (method == 0 || method > MaxMethodLength || method + 1 >= payload.Length || payload[method] != (byte)' ')
        {
            return false;
        }

        var target = payload[method + 1];
        return target is (byte)'/' or (byte)'*' || (target | 0x20) is >= (byte)'a' and <= (byte)'z';
    }

    /// <summary>
    /// Reads the status code of an HTTP/1.x status line at the start of <paramref name="payload"/>:
    /// <c>HTTP/1.</c>, one digit, a space, three digits, then a space or the line end.
    /// </summary>
    /// <param name="payload">The first bytes of a response; 13 bytes are enough.</param>
    /// <param name="statusCode">100 to 999 when true; 0 otherwise.</param>
    public static bool TryGetStatusCode(ReadOnlySpan<byte> payload, out int statusCode)
    {
        statusCode = 0;
        // "HTTP/1.1 200" is 12 bytes; the byte after the code must be there too, to tell "200" from "2001".
        if (payload.Length < 13 || !payload.StartsWith("HTTP/1."u8) || !IsDigit(payload[7]) || payload[8] != (byte)' ')
        {
            return false;
        }

        if (!IsDigit(payload[9]) || !IsDigit(payload[10]) || !IsDigit(payload[11]) || payload[12] is not ((byte)' ' or (byte)'\r' or (byte)'\n'))
        {
            return false;
        }

        var code = ((payload[9] - '0') * 100) + ((payload[10] - '0') * 10) + (payload[11] - '0');
        if (code < 100)
        {
            return false;
        }

        statusCode = code;
        return true;
    }

    private static bool IsDigit(byte value) => value is >= (byte)'0' and <= (byte)'9';
}
