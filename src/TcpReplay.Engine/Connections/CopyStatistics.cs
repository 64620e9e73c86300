using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// Live counters of one copy. The engine thread is the only writer, except for the backlog counters that the threads
/// handing packets to the engine add to atomically; readers on other threads get each figure whole (64-bit reads),
/// possibly a packet behind.
/// </summary>
public sealed partial class CopyStatistics
{
    private readonly long[] _closed = new long[Enum.GetValues<CloseReason>().Length];
    private readonly long[] _handshakeFailures = new long[Enum.GetValues<HandshakeFailure>().Length];
    private readonly Dictionary<int, long> _sendErrors = [];
    private readonly Lock _sendErrorsLock = new();

    internal long ClientPacketsSeenField;
    internal long ClientBytesSeenField;
    internal long PacketsSentField;
    internal long ClientPacketsSentField;
    internal long BytesSentField;
    internal long ConnectionsOpenedField;
    internal long ConnectionsWithoutSynField;
    internal long ResponsesReceivedField;
    internal long ResponseBytesField;
    internal long UnmatchedResponsesField;
    internal long RetransmissionsField;
    internal long DuplicatesDroppedField;
    internal long CaptureGapsField;
    internal long CaptureGapBytesField;
    internal long ResegmentedPacketsField;
    internal long MalformedPacketsField;
    internal long IgnoredPacketsField;
    internal long EvictionsField;
    internal long RecordsDroppedField;
    internal long ResponseWaitTimeoutsField;
    internal long CloseHeldTicksField;
    internal long CloseHeldMaxTicksField;
    internal long ClosesHeldField;
    internal long AnswerHoldsField;
    internal long AnswerHeldTicksField;
    internal long AnswerHeldMaxTicksField;
    internal long AnswerWaitTimeoutsField;
    internal long SendErrorsTotalField;
    internal long OnlinePacketsSeenField;
    internal long OnlinePacketsUnmatchedField;
    internal long ExchangesComparedField;
    internal long StatusCodesComparedField;
    internal long StatusMismatchesField;
    internal long SizesComparedField;
    internal long SizeMismatchesField;
    internal long TargetSilentConnectionsField;
    internal long BacklogWaitsField;
    internal long BacklogWaitTicksField;
    internal long EngineQueueDropsField;

    /// <summary>Online server → client packets captured on the online host (the online answer capture).</summary>
    public long OnlinePacketsSeen => Volatile.Read(ref OnlinePacketsSeenField);

    /// <summary>Online answer packets for a client connection the copy does not follow (started before the copy, or forgotten).</summary>
    public long OnlinePacketsUnmatched => Volatile.Read(ref OnlinePacketsUnmatchedField);

    /// <summary>Online response times (request to first answer byte, on the online host), as a bounded histogram.</summary>
    public LatencyHistogram OnlineResponseTimes { get; } = new();

    /// <summary>Target response times (request sent to first answer byte, measured as <see cref="CopiedConnection.TargetResponseTimeAverage"/>).</summary>
    public LatencyHistogram TargetResponseTimes { get; } = new();

    public TimeSpan? OnlineResponseTimeP50 => OnlineResponseTimes.Percentile(50);

    public TimeSpan? OnlineResponseTimeP90 => OnlineResponseTimes.Percentile(90);

    public TimeSpan? OnlineResponseTimeP99 => OnlineResponseTimes.Percentile(99);

    public TimeSpan? OnlineResponseTimeMax => OnlineResponseTimes.Count == 0 ? null : OnlineResponseTimes.Max;

    public TimeSpan? TargetResponseTimeP50 => TargetResponseTimes.Percentile(50);

    public TimeSpan? TargetResponseTimeP90 => TargetResponseTimes.Percentile(90);

    public TimeSpan? TargetResponseTimeP99 => TargetResponseTimes.Percentile(99);

    public TimeSpan? TargetResponseTimeMax => TargetResponseTimes.Count == 0 ? null : TargetResponseTimes.Max;

    /// <summary>Requests with both an online and a target response time.</summary>
    public long ExchangesCompared => Volatile.Read(ref ExchangesComparedField);

    /// <summary>Requests whose online and target answers both carried an HTTP/1.x status code.</summary>
    public long StatusCodesCompared => Volatile.Read(ref StatusCodesComparedField);

    /// <summary>Requests whose online and target status codes differed.</summary>
    public long StatusMismatches => Volatile.Read(ref StatusMismatchesField);

    /// <summary>Requests whose online answer size was known (and that were sent to the target).</summary>
    public long SizesCompared => Volatile.Read(ref SizesComparedField);

    /// <summary>Requests whose online and target answers differed in payload bytes.</summary>
    public long SizeMismatches => Volatile.Read(ref SizeMismatchesField);

    /// <summary>Connections that sent the target at least one request and got not one payload byte back.</summary>
    public long TargetSilentConnections => Volatile.Read(ref TargetSilentConnectionsField);

    /// <summary>Client packets captured for the copied ports.</summary>
    public long ClientPacketsSeen => Volatile.Read(ref ClientPacketsSeenField);

    public long ClientBytesSeen => Volatile.Read(ref ClientBytesSeenField);

    /// <summary>All packets sent to the target: client segments, their retransmissions and the copier's own.</summary>
    public long PacketsSent => Volatile.Read(ref PacketsSentField);

    /// <summary>Client segments sent to the target (first transmissions).</summary>
    public long ClientPacketsSent => Volatile.Read(ref ClientPacketsSentField);

    public long BytesSent => Volatile.Read(ref BytesSentField);

    public long ConnectionsOpened => Volatile.Read(ref ConnectionsOpenedField);

    /// <summary>Connections copied without their SYN (open before the copy started, or re-opened after a gap).</summary>
    public long ConnectionsWithoutSyn => Volatile.Read(ref ConnectionsWithoutSynField);

    public long ResponsesReceived => Volatile.Read(ref ResponsesReceivedField);

    public long ResponseBytes => Volatile.Read(ref ResponseBytesField);

    /// <summary>Target packets reported for a fake endpoint the copier has no connection for (late, or another copier's).</summary>
    public long UnmatchedResponses => Volatile.Read(ref UnmatchedResponsesField);

    public long Retransmissions => Volatile.Read(ref RetransmissionsField);

    /// <summary>Client retransmissions in the capture, not sent twice.</summary>
    public long DuplicatesDropped => Volatile.Read(ref DuplicatesDroppedField);

    /// <summary>Jumps in a client's sequence space: segments the capture missed.</summary>
    public long CaptureGaps => Volatile.Read(ref CaptureGapsField);

    /// <summary>Client bytes the capture missed; with <see cref="ClientBytesSeen"/> an estimate of capture loss.</summary>
    public long CaptureGapBytes => Volatile.Read(ref CaptureGapBytesField);

    /// <summary>Estimated share of client bytes the capture missed, 0..1.</summary>
    public double EstimatedCaptureLoss
    {
        get
        {
            var missed = CaptureGapBytes;
            var total = missed + ClientBytesSeen;
            return total == 0 ? 0 : (double)missed / total;
        }
    }

    /// <summary>Captured packets larger than the MTU (GRO/LRO) cut to size.</summary>
    public long ResegmentedPackets => Volatile.Read(ref ResegmentedPacketsField);

    public long MalformedPackets => Volatile.Read(ref MalformedPacketsField);

    /// <summary>Packets captured that belong to no transfer (other ports, IPv6, non-TCP).</summary>
    public long IgnoredPackets => Volatile.Read(ref IgnoredPacketsField);

    public long Evictions => Volatile.Read(ref EvictionsField);

    /// <summary>Closed connection records dropped to keep the record list bounded.</summary>
    public long RecordsDropped => Volatile.Read(ref RecordsDroppedField);

    /// <summary>WaitResponse: requests sent without the previous answer, after the wait timed out.</summary>
    public long ResponseWaitTimeouts => Volatile.Read(ref ResponseWaitTimeoutsField);

    /// <summary>Connections whose close was held for the target to finish answering.</summary>
    public long ClosesHeld => Volatile.Read(ref ClosesHeldField);

    /// <summary>Total time closes were held.</summary>
    public TimeSpan CloseHeldTime => TimeSpan.FromTicks(Volatile.Read(ref CloseHeldTicksField));

    /// <summary>The longest single hold: from the client's FIN captured to the FIN sent to the target.</summary>
    public TimeSpan CloseHeldMax => TimeSpan.FromTicks(Volatile.Read(ref CloseHeldMaxTicksField));

    /// <summary>
    /// Causal pacing: client segments held for the target's answers: reactions, until the target had answered what came
    /// before them, and WebSocket Close frames that are no reaction, until the target was done answering.
    /// </summary>
    public long AnswerHolds => Volatile.Read(ref AnswerHoldsField);

    /// <summary>Total time client segments were held for the target's answers.</summary>
    public TimeSpan AnswerHeldTime => TimeSpan.FromTicks(Volatile.Read(ref AnswerHeldTicksField));

    /// <summary>The longest single hold for an answer.</summary>
    public TimeSpan AnswerHeldMax => TimeSpan.FromTicks(Volatile.Read(ref AnswerHeldMaxTicksField));

    /// <summary>
    /// Causal pacing: held segments that went without the target's answer after the response wait timeout: a target that
    /// answers differently (or not at all), where a high hold time with no timeouts is a slow target.
    /// </summary>
    public long AnswerWaitTimeouts => Volatile.Read(ref AnswerWaitTimeoutsField);

    public long SendErrors => Volatile.Read(ref SendErrorsTotalField);

    /// <summary>
    /// Packets whose capture (or replay) thread had to wait because the engine had fallen behind and its queue was
    /// full; meanwhile the kernel's capture buffer held the backlog, so nothing was lost.
    /// </summary>
    public long BacklogWaits => Volatile.Read(ref BacklogWaitsField);

    /// <summary>Total time of those waits.</summary>
    public TimeSpan BacklogWaitTime => TimeSpan.FromTicks(Volatile.Read(ref BacklogWaitTicksField));

    /// <summary>
    /// Packets refused because the engine's queue stayed full for a whole second (the engine stuck) or the copy was
    /// stopping; a refused client packet shows up as a capture gap on its connection.
    /// </summary>
    public long EngineQueueDrops => Volatile.Read(ref EngineQueueDropsField);

    public long Closed(CloseReason reason) => Volatile.Read(ref _closed[(int)reason]);

    public long HandshakeFailures(HandshakeFailure cause) => Volatile.Read(ref _handshakeFailures[(int)cause]);

    /// <summary>Send errors by errno (Linux error number), for example 90 EMSGSIZE, 1 EPERM.</summary>
    public IReadOnlyDictionary<int, long> SendErrorsByErrno
    {
        get
        {
            lock (_sendErrorsLock)
            {
                return new Dictionary<int, long>(_sendErrors);
            }
        }
    }

    internal void CountClosed(CloseReason reason, HandshakeFailure cause)
    {
        Interlocked.Increment(ref _closed[(int)reason]);
        if (reason == CloseReason.HandshakeFailed)
        {
            Interlocked.Increment(ref _handshakeFailures[(int)cause]);
        }
    }

    internal void CountAnswerHeld(long ticks)
    {
        AnswerHoldsField++;
        AnswerHeldTicksField += ticks;
        if (ticks > AnswerHeldMaxTicksField)
        {
            AnswerHeldMaxTicksField = ticks;
        }
    }

    internal void CountCloseHeld(long ticks)
    {
        ClosesHeldField++;
        CloseHeldTicksField += ticks;
        if (ticks > CloseHeldMaxTicksField)
        {
            CloseHeldMaxTicksField = ticks;
        }
    }

    internal void CountSendError(int errno)
    {
        Interlocked.Increment(ref SendErrorsTotalField);
        lock (_sendErrorsLock)
        {
            _sendErrors[errno] = _sendErrors.GetValueOrDefault(errno) + 1;
        }
    }
}
