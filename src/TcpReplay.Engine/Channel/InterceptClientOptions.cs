namespace TcpReplay.Engine.Channel;

/// <summary>Settings of an <see cref="InterceptClient"/>; both ends must agree on <see cref="Combined"/> and <see cref="WithPayload"/>.</summary>
public sealed class InterceptClientOptions
{
    /// <summary>TCP links per intercept (tcpcopy <c>-C</c>, default 2, at most 11 there).</summary>
    public int LinksPerServer { get; set; } = 2;

    /// <summary>First wait after a failed attempt; doubled after each further failure.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Intercept sends combined frames (the C default; <c>--disable-combined</c> turns it off on both ends).</summary>
    public bool Combined { get; set; } = true;

    /// <summary>Intercept sends 192-byte payload records (intercept <c>--with-resp-payload</c>).</summary>
    public bool WithPayload { get; set; }

    /// <summary>
    /// Ask every intercept for the first this many bytes of each response's payload (<see cref="ResponsePayloadExtension"/>,
    /// TcpReplay's extension; 1 to 1024), so the copier can read HTTP status codes. 0 (the default) does not ask. A C
    /// intercept ignores the request and keeps sending 64-byte records; not with <see cref="WithPayload"/>.
    /// </summary>
    public int ResponsePayloadBytes { get; set; }

    /// <summary>Longest time one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Bytes of ADD records a link may hold unsent (a multiple of 14 is not required). When it is full the link is
    /// marked for a full resend of the live clients once it drains, so no ADD is lost.
    /// </summary>
    public int SendBufferBytes { get; set; } = 64 * 1024;

    internal void Validate()
    {
        if (LinksPerServer < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LinksPerServer), LinksPerServer, "At least one link per server is needed.");
        }

        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(MinBackoff), MinBackoff, "MinBackoff must be positive and not above MaxBackoff.");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "ConnectTimeout must be positive.");
        }

        if (ResponsePayloadBytes < 0 || ResponsePayloadBytes > ResponsePayloadExtension.MaxPayloadBytes || (ResponsePayloadBytes > 0 && WithPayload))
        {
            throw new ArgumentOutOfRangeException(nameof(ResponsePayloadBytes), ResponsePayloadBytes,
                $"ResponsePayloadBytes must be 0 to {ResponsePayloadExtension.MaxPayloadBytes}, and 0 with WithPayload (fixed 192-byte records).");
        }

        if (SendBufferBytes < ChannelProtocol.ClientRecordSize * 16)
        {
            throw new ArgumentOutOfRangeException(nameof(SendBufferBytes), SendBufferBytes, "The send buffer must hold at least 16 records.");
        }
    }
}
