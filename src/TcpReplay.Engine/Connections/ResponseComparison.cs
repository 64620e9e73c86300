using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// Online versus target for one copied connection: pairs every copied request with the online server's answer
/// (captured leaving the online host) and the target's answer (reported by the intercept), and folds each finished pair
/// into the connection's record and the session's histograms. Works in fixed rings, allocated at the first request, so
/// answers cost no allocation. Owned by its <see cref="ReplayConnection"/> and called on the engine thread only.
/// </summary>
/// <remarks>
/// The online answer to request k starts at the online sequence number the client acknowledged in request k, and ends
/// where request k+1's acknowledgment points; this pairs answers with requests exactly even when the two captures
/// deliver out of order. The target's answer to request k is the target data that arrives between sending request k
/// and sending request k+1. An exchange is finished one request later (or at the close), so a late online capture can
/// still be paired.
/// </remarks>
internal sealed class ResponseComparison
{
    private const int ExchangeRingSize = 32;
    private const int OnlineStartRingSize = 8;

    private readonly IConnectionHost _host;
    private readonly CopiedConnection _record;
    private readonly ulong _clientKey;

    private ExchangeSlot[]? _exchanges;
    private OnlineAnswerStart[]? _onlineStarts;
    private int _nextOnlineStart;
    private long _capturedRequests;
    private long _sentRequests;
    private long _finishedExchanges;
    private bool _haveOnlineAck;
    private uint _lastOnlineAck;
    private bool _onlineDataSeen;
    private uint _onlineEnd;
    private long _onlineTimeTotal;
    private long _targetTimeTotal;

    // The intercept's capture time of the SYN-ACK to the first SYN: with the capture time of an answer it measures the
    // target's own time on the intercept's clock, so the channel's delay (and the two hosts' clock offset) cancels out.
    private long _synAckCapturedAt;
    private long _synSentFresh;
    private bool _synResent;

    // The exchange the target's data is counted to. The target's answers come in request order, so the cursor moves on
    // at an HTTP status line once the target is seen to speak HTTP (a lagging copy may have sent several requests before
    // their answers came); otherwise it follows the request sent last.
    private long _targetCursor;
    private bool _targetSpeaksHttp;

    /// <param name="host">The engine: fresh time, early online answers, the exchange log and the session's statistics.</param>
    /// <param name="record">The connection's record, which the finished exchanges are folded into.</param>
    /// <param name="clientKey">The client's key on the online host, under which early online answers wait.</param>
    public ResponseComparison(IConnectionHost host, CopiedConnection record, ulong clientKey)
    {
        _host = host;
        _record = record;
        _clientKey = clientKey;
    }

    private struct OnlineAnswerStart
    {
        public bool Used;
        public uint Sequence;
        public long AtUnixNanoseconds;
        public int Status;
    }

    private ref ExchangeSlot Slot(long index) => ref _exchanges![(int)((index - 1) % ExchangeRingSize)];

    /// <summary>The first SYN went out at <paramref name="freshNow"/> (monotonic, read at the send).</summary>
    public void OnSynSent(long freshNow) => _synSentFresh = freshNow;

    /// <summary>The SYN was sent again: a SYN-ACK can no longer be matched to the first SYN's send time.</summary>
    public void OnSynResent() => _synResent = true;

    /// <summary>The target's SYN-ACK established the connection; the intercept captured it at <paramref name="interceptCapturedAt"/> (0 when unknown).</summary>
    public void OnSynAckCaptured(long interceptCapturedAt)
    {
        if (_synAckCapturedAt == 0 && !_synResent)
        {
            _synAckCapturedAt = interceptCapturedAt;
        }
    }

    /// <summary>A client request was taken in sequence (captured on the online host at <paramref name="capturedAtUnixNanoseconds"/>).</summary>
    public void OnRequestCaptured(uint clientAck, long capturedAtUnixNanoseconds)
    {
        _exchanges ??= new ExchangeSlot[ExchangeRingSize];
        var index = ++_capturedRequests;
        if (index > _sentRequests)
        {
            MakeRoomFor(index);
            Slot(index) = new ExchangeSlot { Index = index };
        }

        ref var slot = ref Slot(index);
        slot.Captured = true;
        slot.CapturedAtUnixNanoseconds = capturedAtUnixNanoseconds;
        slot.OnlineAnswerStart = clientAck;

        // The client acknowledged the whole previous online answer in this request: its size, exactly.
        if (index > 1 && index - 1 > _finishedExchanges)
        {
            ref var previous = ref Slot(index - 1);
            if (previous.Index == index - 1 && previous.Captured)
            {
                previous.OnlineBytesKnown = true;
                previous.OnlineBytes = (uint)(clientAck - previous.OnlineAnswerStart);
            }
        }

        for (var i = 0; _onlineStarts is not null && i < _onlineStarts.Length; i++)
        {
            ref var start = ref _onlineStarts[i];
            if (start.Used && start.Sequence == clientAck)
            {
                PairOnline(ref slot, start.AtUnixNanoseconds, start.Status);
                start.Used = false;
                return;
            }
        }

        // The answer may have overtaken the whole connection (the answer capture ran ahead of the client capture).
        if (_host.TakeEarlyOnlineAnswer(_clientKey, clientAck, out var earlyAt, out var earlyStatus))
        {
            PairOnline(ref slot, earlyAt, earlyStatus);
        }
    }

    /// <summary>
    /// Data the online server sent to this client (the other direction on the online host): <paramref name="payloadLength"/>
    /// bytes at <paramref name="sequence"/>, acknowledging <paramref name="acknowledgment"/>, of which the capture holds
    /// <paramref name="capturedPayload"/>.
    /// </summary>
    public void OnOnlineData(uint sequence, uint acknowledgment, int payloadLength, ReadOnlySpan<byte> capturedPayload, long capturedAtUnixNanoseconds)
    {
        if (payloadLength <= 0)
        {
            return;
        }

        _record.OnlinePackets++;
        var end = sequence + (uint)payloadLength;
        if (!_onlineDataSeen || SequenceNumbers.GreaterThan(end, _onlineEnd))
        {
            _record.OnlineBytes += _onlineDataSeen && SequenceNumbers.GreaterThan(_onlineEnd, sequence) ? (uint)(end - _onlineEnd) : payloadLength;
            _onlineEnd = end;
            _onlineDataSeen = true;
        }

        var newAnswer = !_haveOnlineAck || acknowledgment != _lastOnlineAck;
        _haveOnlineAck = true;
        _lastOnlineAck = acknowledgment;

        var status = HttpHead.TryGetStatusCode(capturedPayload, out var code) ? code : 0;
        if (_exchanges is not null)
        {
            for (var index = Math.Max(_finishedExchanges + 1, _capturedRequests - ExchangeRingSize + 1); index <= _capturedRequests; index++)
            {
                ref var slot = ref Slot(index);
                if (slot.Index == index && slot.Captured && !slot.OnlineAnswered && slot.OnlineAnswerStart == sequence)
                {
                    PairOnline(ref slot, capturedAtUnixNanoseconds, status);
                    return;
                }
            }
        }

        if (newAnswer)
        {
            // The answer came through its capture before the request through the other: keep it until the request comes.
            _onlineStarts ??= new OnlineAnswerStart[OnlineStartRingSize];
            _onlineStarts[_nextOnlineStart] = new OnlineAnswerStart { Used = true, Sequence = sequence, AtUnixNanoseconds = capturedAtUnixNanoseconds, Status = status };
            _nextOnlineStart = (_nextOnlineStart + 1) % OnlineStartRingSize;
        }
    }

    private static void PairOnline(ref ExchangeSlot slot, long answeredAtUnixNanoseconds, int status)
    {
        slot.OnlineStatus = status;
        if (answeredAtUnixNanoseconds != 0 && slot.CapturedAtUnixNanoseconds != 0)
        {
            slot.OnlineAnswered = true;
            slot.OnlineResponseNanoseconds = Math.Max(0, answeredAtUnixNanoseconds - slot.CapturedAtUnixNanoseconds);
        }
    }

    /// <summary>A request went to the target for the first time.</summary>
    public void OnRequestSent(long now)
    {
        _exchanges ??= new ExchangeSlot[ExchangeRingSize];
        var index = ++_sentRequests;
        if (index > _capturedRequests)
        {
            // Not registered at capture (cannot happen for segments taken in order); still follow the target's answer.
            MakeRoomFor(index);
            Slot(index) = new ExchangeSlot { Index = index };
            _capturedRequests = index;
        }

        ref var slot = ref Slot(index);
        slot.Sent = true;
        // The batch's time can be milliseconds old when a busy host preempted the engine; the request went just now.
        slot.SentAt = Math.Max(now, _host.FreshNanoseconds());

        // Request k+1 is on its way, so request k-1's answers are complete on both sides, unless the target is still
        // answering an older request (the cursor): those exchanges wait, within the ring.
        FinishExchangesUpTo(Math.Min(index - 2, _targetSpeaksHttp ? _targetCursor - 1 : index - 2));
    }

    /// <summary>
    /// Target data: counted toward the answer to the request it belongs to. <paramref name="targetNext"/> is the next
    /// target sequence number expected before this data, so call before the connection moves it.
    /// </summary>
    public void OnTargetAnswerData(uint sequence, int payloadLength, ReadOnlySpan<byte> payloadPrefix, uint targetNext, long interceptCapturedAt, long now)
    {
        if (_sentRequests == 0 || _exchanges is null)
        {
            return;
        }

        var end = sequence + (uint)payloadLength;
        if (!SequenceNumbers.GreaterThan(end, targetNext) || SequenceNumbers.GreaterThan(sequence, targetNext))
        {
            return; // a repeat of data already counted, or beyond a hole: counted when the hole is filled
        }

        var statusLine = sequence == targetNext && HttpHead.TryGetStatusCode(payloadPrefix, out var code) ? code : 0;
        _targetSpeaksHttp |= statusLine != 0;
        if (!_targetSpeaksHttp)
        {
            _targetCursor = _sentRequests;
        }
        else if (_targetCursor <= _finishedExchanges)
        {
            _targetCursor = Math.Min(_finishedExchanges + 1, _sentRequests);
        }
        else if (statusLine != 0 && _targetCursor < _sentRequests && Slot(_targetCursor).TargetAnswered)
        {
            _targetCursor++;
        }

        ref var slot = ref Slot(_targetCursor);
        if (slot.Index != _targetCursor || !slot.Sent)
        {
            return;
        }

        slot.TargetBytes += (uint)(end - targetNext);
        if (!slot.TargetAnswered)
        {
            slot.TargetAnswered = true;
            slot.TargetResponseNanoseconds = Math.Max(0, TargetResponseTime(slot.SentAt, interceptCapturedAt, now));
            slot.TargetStatus = statusLine;
        }
    }

    /// <summary>
    /// The target's time for a request sent at <paramref name="sentAt"/>. With intercept capture times: (answer captured −
    /// SYN-ACK captured) − (request sent − SYN sent), which leaves the target's time plus the difference of two trips
    /// copier → target → assistant, in the kernel only. Without: the wait at the copier less the handshake round trip,
    /// which still holds the channel's and the engine's delays of the moment.
    /// </summary>
    private long TargetResponseTime(long sentAt, long interceptCapturedAt, long now)
    {
        if (interceptCapturedAt != 0 && _synAckCapturedAt != 0)
        {
            return interceptCapturedAt - _synAckCapturedAt - (sentAt - _synSentFresh);
        }

        var handshake = _record.HandshakeRtt is { } rtt ? rtt.Ticks * 100 : 0;
        return now - sentAt - handshake;
    }

    /// <summary>Keeps the ring from overwriting an exchange that is not finished: the oldest is finished as it stands.</summary>
    private void MakeRoomFor(long index)
    {
        if (index - ExchangeRingSize > _finishedExchanges)
        {
            FinishExchangesUpTo(index - ExchangeRingSize);
        }
    }

    private void FinishExchangesUpTo(long last)
    {
        var stats = _host.Statistics;
        while (_finishedExchanges < last && _finishedExchanges < Math.Max(_capturedRequests, _sentRequests))
        {
            var index = ++_finishedExchanges;
            ref var slot = ref Slot(index);
            if (slot.Index == index)
            {
                FinishExchange(ref slot, stats);
            }
        }
    }

    private void FinishExchange(ref ExchangeSlot slot, CopyStatistics stats)
    {
        var record = _record;
        if (slot.OnlineAnswered)
        {
            record.OnlineResponses++;
            _onlineTimeTotal += slot.OnlineResponseNanoseconds;
            var time = TimeSpan.FromTicks(slot.OnlineResponseNanoseconds / 100);
            record.OnlineResponseTimeMax = record.OnlineResponseTimeMax is { } max && max >= time ? max : time;
            record.OnlineResponseTimeAverage = TimeSpan.FromTicks(_onlineTimeTotal / record.OnlineResponses / 100);
            stats.OnlineResponseTimes.Record(time);
        }

        if (slot.TargetAnswered)
        {
            record.Responses++;
            _targetTimeTotal += slot.TargetResponseNanoseconds;
            var time = TimeSpan.FromTicks(slot.TargetResponseNanoseconds / 100);
            record.TargetResponseTimeMax = record.TargetResponseTimeMax is { } max && max >= time ? max : time;
            record.TargetResponseTimeAverage = TimeSpan.FromTicks(_targetTimeTotal / record.Responses / 100);
            stats.TargetResponseTimes.Record(time);
        }

        if (slot.OnlineStatus != 0)
        {
            record.LastOnlineStatusCode = slot.OnlineStatus;
        }

        if (slot.TargetStatus != 0)
        {
            record.LastTargetStatusCode = slot.TargetStatus;
        }

        if (slot.OnlineAnswered && slot.TargetAnswered)
        {
            stats.ExchangesComparedField++;
        }

        if (slot.OnlineStatus != 0 && slot.TargetStatus != 0)
        {
            stats.StatusCodesComparedField++;
            if (slot.OnlineStatus != slot.TargetStatus)
            {
                record.StatusMismatches++;
                stats.StatusMismatchesField++;
            }
        }

        if (slot.OnlineBytesKnown && slot.Sent)
        {
            stats.SizesComparedField++;
            if (slot.OnlineBytes != slot.TargetBytes)
            {
                record.SizeMismatches++;
                stats.SizeMismatchesField++;
            }
        }

        _host.LogExchange(record.Id, slot);
    }

    /// <summary>At the close: the last online answer ends at the last online byte seen; every exchange is finished.</summary>
    public void FinishAll()
    {
        if (_exchanges is null)
        {
            return;
        }

        if (_capturedRequests > _finishedExchanges && _onlineDataSeen)
        {
            ref var last = ref Slot(_capturedRequests);
            if (last.Index == _capturedRequests && last.Captured && !last.OnlineBytesKnown && (last.OnlineAnswered || last.OnlineStatus != 0))
            {
                last.OnlineBytesKnown = true;
                last.OnlineBytes = (uint)(_onlineEnd - last.OnlineAnswerStart);
            }
        }

        FinishExchangesUpTo(Math.Max(_capturedRequests, _sentRequests));
        if (_sentRequests > 0 && _record.ResponseBytes == 0)
        {
            _record.TargetAnsweredNothing = true;
            _host.Statistics.TargetSilentConnectionsField++;
        }
    }
}
