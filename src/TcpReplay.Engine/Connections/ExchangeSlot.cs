namespace TcpReplay.Engine.Connections;

/// <summary>
/// The working state of one request/answer exchange, held by value in a connection's fixed ring so that following
/// answers allocates nothing. Times are nanoseconds: capture timestamps (Unix epoch) on the online side, engine
/// monotonic time on the target side.
/// </summary>
internal struct ExchangeSlot
{
    public long Index;

    /// <summary>Online side: the client's acknowledgment number in the request, which is where the online answer starts.</summary>
    public uint OnlineAnswerStart;
    public bool Captured;
    public long CapturedAtUnixNanoseconds;
    public bool OnlineAnswered;
    public long OnlineResponseNanoseconds;
    public int OnlineStatus;
    public bool OnlineBytesKnown;
    public long OnlineBytes;

    /// <summary>Target side: sent, when, where the target's answer starts in its sequence space.</summary>
    public bool Sent;
    public long SentAt;
    public bool TargetAnswered;
    public long TargetResponseNanoseconds;
    public int TargetStatus;
    public long TargetBytes;
}
