namespace TcpReplay.Engine.Connections;

/// <summary>
/// One copied request and the two answers to it: the online server's (seen by the copier's capture of the online
/// host's outgoing packets) and the target's (reported by the intercept). A snapshot: it does not change once made.
/// </summary>
/// <remarks>
/// Response times are to the first byte of the answer. The online time is measured on the online host between the
/// capture of the request and the capture of the answer, so it is the online server's own time. The target time is
/// measured on the intercept's capture times: (answer captured − SYN-ACK captured) − (request sent − SYN sent), so the
/// channel's delay and the clock offset cancel; without capture times (a plain intercept) it is the copier's wait less
/// the connection's handshake round trip, which still holds the channel's delay of the moment.
/// Byte counts are TCP payload bytes. Values the copier could not see are null.
/// </remarks>
public sealed class RequestExchange
{
    internal RequestExchange(long connectionId, in ExchangeSlot slot)
    {
        ConnectionId = connectionId;
        Request = slot.Index;
        OnlineResponseTime = slot.OnlineAnswered ? TimeSpan.FromTicks(slot.OnlineResponseNanoseconds / 100) : null;
        TargetResponseTime = slot.TargetAnswered ? TimeSpan.FromTicks(slot.TargetResponseNanoseconds / 100) : null;
        OnlineResponseBytes = slot.OnlineBytesKnown ? slot.OnlineBytes : null;
        TargetResponseBytes = slot.Sent ? slot.TargetBytes : null;
        OnlineStatusCode = slot.OnlineStatus == 0 ? null : slot.OnlineStatus;
        TargetStatusCode = slot.TargetStatus == 0 ? null : slot.TargetStatus;
    }

    /// <summary>An exchange read back from a copier process (Hosting).</summary>
    internal RequestExchange(long connectionId, long request, TimeSpan? onlineResponseTime, TimeSpan? targetResponseTime,
        long? onlineResponseBytes, long? targetResponseBytes, int? onlineStatusCode, int? targetStatusCode)
    {
        ConnectionId = connectionId;
        Request = request;
        OnlineResponseTime = onlineResponseTime;
        TargetResponseTime = targetResponseTime;
        OnlineResponseBytes = onlineResponseBytes;
        TargetResponseBytes = targetResponseBytes;
        OnlineStatusCode = onlineStatusCode;
        TargetStatusCode = targetStatusCode;
    }

    /// <summary>The <see cref="CopiedConnection.Id"/> of the connection.</summary>
    public long ConnectionId { get; }

    /// <summary>Number of the request in its connection, from 1.</summary>
    public long Request { get; }

    /// <summary>Online server: request to first answer byte, both captured on the online host.</summary>
    public TimeSpan? OnlineResponseTime { get; }

    /// <summary>Target: request sent to first answer byte, on the intercept's capture times (see the type remarks).</summary>
    public TimeSpan? TargetResponseTime { get; }

    /// <summary>Payload bytes of the online answer (sequence space up to the next request, or to the last byte seen).</summary>
    public long? OnlineResponseBytes { get; }

    /// <summary>Payload bytes of the target's answer: target data that arrived before the next request was sent.</summary>
    public long? TargetResponseBytes { get; }

    /// <summary>HTTP/1.x status code of the online answer; null when not HTTP or not seen.</summary>
    public int? OnlineStatusCode { get; }

    /// <summary>HTTP/1.x status code of the target's answer; null when not HTTP, or the intercept passes no payload bytes.</summary>
    public int? TargetStatusCode { get; }

    /// <summary>Both status codes are known and differ.</summary>
    public bool StatusMismatch => OnlineStatusCode is { } online && TargetStatusCode is { } target && online != target;

    /// <summary>Both sizes are known and differ.</summary>
    public bool SizeMismatch => OnlineResponseBytes is { } online && TargetResponseBytes is { } target && online != target;

    public override string ToString() =>
        $"#{Request} online {OnlineStatusCode?.ToString() ?? "-"} {OnlineResponseTime?.TotalMilliseconds:0.###} ms {OnlineResponseBytes} B, " +
        $"target {TargetStatusCode?.ToString() ?? "-"} {TargetResponseTime?.TotalMilliseconds:0.###} ms {TargetResponseBytes} B";
}
