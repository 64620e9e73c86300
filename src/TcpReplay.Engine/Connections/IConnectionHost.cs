using TcpReplay.Engine.Buffers;

namespace TcpReplay.Engine.Connections;

/// <summary>What a copied connection needs from the engine that runs it; all calls come on the engine thread.</summary>
internal interface IConnectionHost
{
    CopyEngineOptions Options { get; }

    CopyStatistics Statistics { get; }

    PacketBufferPool Pool { get; }

    /// <summary>Wall-clock time for records (UTC).</summary>
    DateTime UtcNow { get; }

    /// <summary>
    /// Segments a new connection is expected to hold at once before its handshake completes (an offline replay at Max
    /// hands its capture over in one go); its queues start at that size instead of growing by doublings. 0 when unknown.
    /// </summary>
    int ExpectedBacklogPerConnection { get; }

    /// <summary>True once any target packet at all has come back through an intercept.</summary>
    bool AnyTargetResponseSeen { get; }

    bool InterceptConnected { get; }

    /// <summary>
    /// Smoothed handshake round trip over all copies, in nanoseconds (0 until measured): how far the copier's view of
    /// the target lags now, so a new copy's SYN timers do not fire before an answer could have come back.
    /// </summary>
    long RoundTripEstimate { get; }

    void ReportHandshakeRoundTrip(long nanoseconds);

    /// <summary>Monotonic nanoseconds read now, not at the start of the batch: for send times that are compared with capture times.</summary>
    long FreshNanoseconds();

    /// <summary>Sends one IPv4 packet to the target; send errors are counted, never thrown.</summary>
    void Send(ReadOnlySpan<byte> ipPacket, uint destination);

    /// <summary>Wakes the connection at <paramref name="dueNanoseconds"/> (monotonic) unless it is already due earlier.</summary>
    void Schedule(ReplayConnection connection, long dueNanoseconds);

    /// <summary>Tells the intercepts which fake endpoint talks to which target, before the SYN goes out.</summary>
    void AnnounceClient(ReplayConnection connection);

    /// <summary>The connection has ended; the host removes it from its tables and keeps its record.</summary>
    void OnClosed(ReplayConnection connection);

    /// <summary>A request/answer exchange of connection <paramref name="connectionId"/> is finished; the host may keep it.</summary>
    void LogExchange(long connectionId, in ExchangeSlot slot);

    /// <summary>An online answer that arrived before its client connection was known, taken by its start sequence number.</summary>
    bool TakeEarlyOnlineAnswer(ulong clientKey, uint sequence, out long capturedAt, out int status);

    /// <summary>The connection was reset for a capture gap; the host opens a new copy with these held segments.</summary>
    void Reopen(ReplayConnection connection, Queue<PendingSegment> heldSegments);
}
