using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Connections;

internal sealed partial class ReplayConnection
{
    private uint _targetNext;
    private byte _targetWindowScale;
    private bool _awaitingResponse;
    private bool _targetDataSinceRequest;

    /// <summary>The end of the client data sent last: target data that acknowledges less was written before it arrived.</summary>
    private uint _answerMustAcknowledge;
    private long _requestSentAt;
    private long _lastTargetDataAt;
    private long _lastTargetPacketAt;

    /// <summary>A reset after this much quiet from the target reads as an idle connection the target dropped.</summary>
    private static readonly long IdleDropQuiet = 1_000_000_000;
    private bool _lastAnswerEnded;
    private int _largestTargetSegment;
    private int _unansweredRequests;
    private long _lastAckedAt;
    private bool _targetRepeatedSynAck;
    private bool _finSent;
    private bool _targetFinSeen;
    private bool _targetClosedFirst;
    private long _drainDeadline = long.MaxValue;

    /// <summary>Takes one target packet reported by an intercept (headers, and the IP lengths of the original).</summary>
    /// <param name="tcp">The TCP header.</param>
    /// <param name="payloadLength">The packet's payload length, from its IP lengths.</param>
    /// <param name="payloadPrefix">The first payload bytes when the intercept passed them; empty otherwise.</param>
    /// <param name="interceptCapturedAt">The intercept's capture time (Unix epoch nanoseconds, its clock); 0 when unknown.</param>
    /// <param name="now">Engine time, monotonic nanoseconds.</param>
    public void OnTargetPacket(in TcpHeader tcp, int payloadLength, ReadOnlySpan<byte> payloadPrefix, long interceptCapturedAt, long now)
    {
        LastActivity = now;
        Record.ResponsePackets++;
        Record.ResponseBytes += payloadLength;
        var previousTargetPacketAt = _lastTargetPacketAt;
        _lastTargetPacketAt = now;
        var flags = tcp.Flags;
        if (Phase is ConnectionPhase.New or ConnectionPhase.Ended)
        {
            return;
        }

        if ((flags & TcpFlags.Rst) != 0)
        {
            OnTargetReset(previousTargetPacketAt, now);
            return;
        }

        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack))
        {
            OnSynAck(tcp, now);
            if (Phase == ConnectionPhase.Established)
            {
                _comparison.OnSynAckCaptured(interceptCapturedAt);
            }

            ScheduleNext();
            return;
        }

        if (Phase != ConnectionPhase.Established)
        {
            return;
        }

        if ((flags & TcpFlags.Ack) != 0)
        {
            OnAcknowledgment(tcp.AcknowledgmentNumber, now);
            _targetWindowBytes = (long)tcp.Window << _targetWindowScale;
        }

        var fin = (flags & TcpFlags.Fin) != 0;
        var length = (uint)payloadLength + (fin ? 1u : 0u);
        if (length > 0)
        {
            if (payloadLength > 0)
            {
                _comparison.OnTargetAnswerData(tcp.SequenceNumber, payloadLength, payloadPrefix, _targetNext, interceptCapturedAt, now);
            }

            OnTargetData(tcp.SequenceNumber, tcp.AcknowledgmentNumber, length, payloadLength, fin, (flags & TcpFlags.Psh) != 0, now);
        }

        TryFlush(now);
        ScheduleNext();
    }

    private void OnSynAck(in TcpHeader tcp, long now)
    {
        if (Phase == ConnectionPhase.Established)
        {
            // Our ACK of the handshake was lost, or the target's accept queue is full: the target repeats its SYN-ACK.
            _targetRepeatedSynAck = true;
            SendAck();
            return;
        }

        if (Phase != ConnectionPhase.SynSent || tcp.AcknowledgmentNumber != _clientIsn + 1)
        {
            return;
        }

        _targetNext = tcp.SequenceNumber + 1;
        _targetAcked = tcp.AcknowledgmentNumber;
        _targetWindowScale = tcp.TryGetWindowScale(out var shift) ? Math.Min(shift, (byte)14) : (byte)0;
        // The window of a SYN-ACK is never scaled (RFC 7323 §2.2).
        _targetWindowBytes = tcp.Window;
        Record.HandshakeRtt = TimeSpan.FromTicks((now - _synSentAt) / 100);
        SampleRoundTrip(now - _synSentAt);
        _host.ReportHandshakeRoundTrip(now - _synSentAt);
        Phase = ConnectionPhase.Established;
        _lastAckedAt = now;
        SendAck();
        TryFlush(now);
    }

    private void OnAcknowledgment(uint ack, long now)
    {
        if (!SequenceNumbers.GreaterThan(ack, _targetAcked) || SequenceNumbers.GreaterThan(ack, _sentNext))
        {
            return;
        }

        _targetAcked = ack;
        _lastAckedAt = now;
        while (_unacked.Count > 0 && SequenceNumbers.LessOrEqual(_unacked.Peek().End, ack))
        {
            var done = _unacked.Dequeue();
            if (!done.Retransmitted)
            {
                SampleRoundTrip(now - done.SentAt);
            }

            PacketBufferPool.ReturnToOwner(done.Buffer);
        }

        _retransmissions = 0;
        _rto = RetransmitTimeout();
        _retransmitAt = _unacked.Count > 0 ? now + _rto : long.MaxValue;
    }

    private void OnTargetData(uint sequence, uint acknowledgment, uint length, int payloadLength, bool fin, bool psh, long now)
    {
        var end = sequence + length;
        var inOrder = sequence == _targetNext;
        var newData = SequenceNumbers.GreaterThan(end, _targetNext);
        if (SequenceNumbers.LessOrEqual(sequence, _targetNext) && SequenceNumbers.GreaterThan(end, _targetNext))
        {
            _targetNext = end;
            if (fin && !_targetFinSeen)
            {
                _targetFinSeen = true;
                _targetClosedFirst = !_finSent;
            }
        }

        if (payloadLength > 0)
        {
            // A PSH segment shorter than the target's full segments ends a write: the end of an answer, as far as
            // can be told without reading the protocol.
            var endsAnswer = psh && payloadLength < Math.Max(_largestTargetSegment, 1400);
            _largestTargetSegment = Math.Max(_largestTargetSegment, payloadLength);
            if (newData)
            {
                OnTargetSpoke(acknowledgment, now);
            }

            _lastAnswerEnded = endsAnswer;
            if (endsAnswer && _unansweredRequests > 0)
            {
                _unansweredRequests--;
            }

            // Only data the target sent after it had the whole request answers it: a late piece of the previous answer
            // (headers and body written apart) acknowledges less, and must not let the next request go before its time.
            if (SequenceNumbers.GreaterOrEqual(acknowledgment, _answerMustAcknowledge))
            {
                _targetDataSinceRequest = true;
            }

            _lastTargetDataAt = now;
        }

        if (inOrder && !fin && payloadLength > 0)
        {
            AcknowledgeInOrderData(now);
            return;
        }

        // A repeat, data beyond a hole the intercept missed, or the target's FIN: the ACK goes at once and says what
        // we hold, so the target resends what is missing.
        SendAck();
    }

    private void OnTargetReset(long previousTargetPacketAt, long now)
    {
        if (Phase == ConnectionPhase.SynSent)
        {
            Close(CloseReason.HandshakeFailed, HandshakeFailure.TargetRefused,
                $"The target answered the SYN with RST: nothing listens on {Transfer.TargetIPAddress}:{TargetPort}, or a firewall rejects the fake client {Record.FakeClientAddress}.", now);
            return;
        }

        Close(CloseReason.TargetReset, HandshakeFailure.None, TargetResetDetail(previousTargetPacketAt), now);
    }

    /// <summary>
    /// Why the target reset, as far as can be told. A reset in answer to data that came after a quiet spell is the
    /// signature of a server that dropped an idle keep-alive connection (its keep-alive timeout, or a connection
    /// limit such as nginx's worker_connections, which a lagging copy reaches sooner than the clients do).
    /// </summary>
    private string TargetResetDetail(long previousTargetPacketAt)
    {
        if (_unacked.Count > 0 && previousTargetPacketAt > 0)
        {
            var quiet = _unacked.Peek().SentAt - previousTargetPacketAt;
            if (quiet >= IdleDropQuiet)
            {
                var seconds = (quiet / 1e9).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
                return $"The target reset the connection when the copy sent data after {seconds} s of quiet: the target had most likely "
                    + "dropped it as an idle keep-alive connection (its keep-alive timeout, or a connection limit such as nginx's "
                    + "worker_connections, which the copy reaches first when it keeps connections open longer than the clients). "
                    + "Check the target's error log; raise its connection limit, or copy with -Pacing Timeline so copies last as long as the originals.";
            }
        }

        return _finSent ? "The target reset the connection after the client had closed it." : "The target reset the connection while the client still used it.";
    }

    /// <summary>The client's reset goes once every segment it sent before it is acknowledged, or at the deadline.</summary>
    private void CheckClientReset(long now)
    {
        if (!_resetAfterBacklog || Phase == ConnectionPhase.Ended)
        {
            return;
        }

        _resetQuietAt = long.MaxValue;
        var backlogDone = _pending.Count == 0 && _unacked.Count == 0 && Phase == ConnectionPhase.Established;
        if ((backlogDone && RequestsAnswered(now)) || now >= _resetDeadline)
        {
            SendReset();
            Close(CloseReason.ClientReset, HandshakeFailure.None, ClientResetDetail, now);
        }
    }

    /// <summary>
    /// The target has answered the requests the copy sent, so a client reset may go: a lagging target that has only
    /// acknowledged them would otherwise lose them to the reset (the online server had answered them). An answer is
    /// a short PSH segment; a target that stays quiet for a while (100 ms, or 4 round trips) counts as done, and one
    /// that has answered nothing on the connection yet only after the drain time.
    /// </summary>
    /// <remarks>
    /// A server that has not answered at all may not have accepted the connection yet: a server that takes one new
    /// connection per turn of its event loop (nginx) can begin serving a burst of new copies long after its kernel
    /// acknowledged their requests; with the short quiet, the load generator's resets at the end of a load made it drop
    /// every request of such a copy (docs/benchmarks.md has the lab run).
    /// </remarks>
    private bool RequestsAnswered(long now)
    {
        if (_unansweredRequests == 0)
        {
            return true;
        }

        var quiet = _lastTargetDataAt == 0 ? Options.DrainTimeout.Ticks * 100 : AnswerQuiet();
        var quietAt = Math.Max(_lastTargetDataAt, LastSendAt()) + quiet;
        if (now >= quietAt)
        {
            return true;
        }

        _resetQuietAt = quietAt;
        return false;
    }

    /// <summary>
    /// After the client's FIN is acknowledged: a target that closed first is in TIME_WAIT and gets a reset
    /// (CopierReset, the normal fast release); one that closes after us completes the close; one that stays half
    /// open is reset after the drain time.
    /// </summary>
    private void CheckClose(long now)
    {
        if (_resetAfterBacklog)
        {
            CheckClientReset(now);
            return;
        }

        if (!_finSent || _unacked.Count > 0 || SequenceNumbers.LessThan(_targetAcked, _sentNext) || Phase != ConnectionPhase.Established)
        {
            return;
        }

        if (_targetFinSeen)
        {
            if (_targetClosedFirst)
            {
                SendControl(TcpFlags.Rst, _sentNext);
                Close(CloseReason.CopierReset, HandshakeFailure.None,
                    "Normal fast release: the target closed first and the copier reset its TIME_WAIT socket so the fake endpoint is free at once.", now);
            }
            else
            {
                Close(CloseReason.Completed, HandshakeFailure.None, null, now);
            }

            return;
        }

        if (_drainDeadline == long.MaxValue)
        {
            _drainDeadline = now + (Options.DrainTimeout.Ticks * 100);
        }
        else if (now >= _drainDeadline)
        {
            SendControl(TcpFlags.Rst, _sentNext);
            Close(CloseReason.CopierReset, HandshakeFailure.None,
                "Normal fast release: the client had closed and the target kept its side open past the drain time, so the copier reset it.", now);
        }
    }
}
