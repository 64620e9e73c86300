namespace TcpReplay.Engine.Channel;

/// <summary>
/// What a copier sends first on every new intercept link: the intercept 1.x hello, then, when the link asks for answer
/// payloads, the <see cref="ResponsePayloadExtension"/> request. Both go before any CLIENT_ADD, so no answer is routed
/// to the link before the intercept has answered the request (the link reads that answer with the response records).
/// </summary>
internal static class LinkHello
{
    /// <summary>The most bytes <see cref="Write"/> writes.</summary>
    public const int MaxLength = 2 * ChannelProtocol.ClientRecordSize;

    /// <summary>Writes the opening records into <paramref name="destination"/> and returns their length in bytes.</summary>
    /// <param name="destination">At least <see cref="MaxLength"/> bytes.</param>
    /// <param name="askPayloadBytes">Answer payload bytes to ask for; 0 asks for none (a plain 1.x link).</param>
    public static int Write(Span<byte> destination, int askPayloadBytes)
    {
        ClientRecord.Hello.WriteTo(destination);
        var length = ChannelProtocol.ClientRecordSize;
        if (askPayloadBytes > 0)
        {
            ResponsePayloadExtension.CreateRequest(askPayloadBytes).WriteTo(destination[length..]);
            length += ChannelProtocol.ClientRecordSize;
        }

        return length;
    }
}
