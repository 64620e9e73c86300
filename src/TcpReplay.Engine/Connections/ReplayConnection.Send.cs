using System.Buffers.Binary;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Connections;

internal sealed partial class ReplayConnection
{
    private const long Millisecond = 1_000_000;
    private const long MinRto = 200 * Millisecond;
    private const long MaxRto = 10_000 * Millisecond;
    private const int MaxRetransmissions = 8;

    // A target whose kernel completed the handshake acknowledges data within a round trip even when its application is
    // slow to read it; three unanswered retransmissions over at least 3 s (and 4 round trips on a slow path) mean the
    // segments are being dropped. A target that repeats its SYN-ACK has not taken the handshake up yet (its accept
    // queue is full) and drops data for that reason: it keeps the general limit.
    private const int RetransmissionsBeforeDataIsDeclaredDropped = 3;
    private const long DataDeclaredDroppedAfter = 3_000 * Millisecond;
    // Faster than the kernel's 1 s: a copy that loses its SYN twice would otherwise fail its 3 s handshake and lose every request of
    // the connection; a repeated SYN costs the target nothing.
    private static readonly long FirstSynRetransmit = 250 * Millisecond;

    private uint _sentNext;
    private uint _targetAcked;
    private long _targetWindowBytes = OwnWindow;
    private long _synSentAt;
    private long _nextSynAt;
    private long _synInterval;
    private long _rto;
    private long _retransmitAt = long.MaxValue;
    private int _retransmissions;
    private long _pacingWakeAt = long.MaxValue;
    private ushort _ipIdentification;
    private long _srtt;
    private long _handshakeDeadline = long.MaxValue;
    private bool _dataSent;
    private long _firstDataSentAt;

    /// <summary>Sends the handshake SYN once the intercepts know the fake endpoint (CLIENT_ADD goes first).</summary>
    private void StartHandshake(long now)
    {
        _host.AnnounceClient(this);
        Phase = ConnectionPhase.SynSent;
        _sentNext = _clientIsn + 1;
        _answerMustAcknowledge = _sentNext;
        _synSentAt = now;
        _synInterval = Math.Max(FirstSynRetransmit, 2 * _host.RoundTripEstimate);
        _handshakeDeadline = now + Math.Max(Options.HandshakeTimeout.Ticks * 100, 3 * _host.RoundTripEstimate);
        _nextSynAt = now + _synInterval;
        _comparison.OnSynSent(Math.Max(now, _host.FreshNanoseconds()));
        SendSyn();
    }

    private void SendSyn()
    {
        Span<byte> packet = stackalloc byte[SegmentWriter.MaxControlSegment];
        Span<byte> options = stackalloc byte[8];
        var mss = (ushort)Math.Min(_clientMss, Options.Mtu - 40);
        var optionLength = SegmentWriter.WriteSynOptions(options, mss, OwnWindowScale);
        var length = SegmentWriter.Write(packet, FakeAddress, FakePort, TargetAddress, TargetPort, _clientIsn, 0, TcpFlags.Syn,
            OwnWindow, options[..optionLength], [], _ipIdentification++);
        _host.Send(packet[..length], TargetAddress);
    }

    private void SendControl(TcpFlags flags, uint sequence)
    {
        Span<byte> packet = stackalloc byte[SegmentWriter.MaxControlSegment];
        var acknowledgment = (flags & TcpFlags.Ack) != 0 ? _targetNext : 0;
        var length = SegmentWriter.Write(packet, FakeAddress, FakePort, TargetAddress, TargetPort, sequence, acknowledgment, flags,
            OwnWindow, [], [], _ipIdentification++);
        _host.Send(packet[..length], TargetAddress);
        if ((flags & TcpFlags.Ack) != 0)
        {
            AcknowledgmentSent();
        }
    }

    private void SendAck() => SendControl(TcpFlags.Ack, _sentNext);

    /// <summary>
    /// A reset at the sequence the target expects next: Linux accepts it in any state, TIME_WAIT included
    /// (with net.ipv4.tcp_rfc1337 at its default 0), so the fake endpoint is free again at once.
    /// </summary>
    private void SendReset() => SendControl(TcpFlags.Rst, Phase == ConnectionPhase.Established ? _targetAcked : _clientIsn + 1);

    /// <summary>Sends what pacing, the target's window and the handshake allow, oldest first.</summary>
    private void TryFlush(long now)
    {
        if (Phase != ConnectionPhase.Established)
        {
            return;
        }

        _pacingWakeAt = long.MaxValue;

        // A handshake completed under a backlog (an offline replay at Max) moves the whole backlog at once: the queue
        // grows once to its size instead of once per doubling, each growth fresh memory the engine thread must touch.
        _unacked.EnsureCapacity(_unacked.Count + _pending.Count);
        while (_pending.Count > 0)
        {
            var segment = _pending.Peek();
            if (!MaySend(segment, now, out var wakeAt))
            {
                _pacingWakeAt = wakeAt;
                break;
            }

            var windowEnd = _targetAcked + (uint)Math.Min(_targetWindowBytes, int.MaxValue);
            if (_unacked.Count > 0 && SequenceNumbers.GreaterThan(segment.End, windowEnd))
            {
                break;
            }

            _pending.Dequeue();
            EndAnswerHold(now);
            Transmit(ref segment, now, firstTime: true);
            _unacked.Enqueue(segment);
        }

        CheckClose(now);
    }

    private void Transmit(ref PendingSegment segment, long now, bool firstTime)
    {
        var ip = segment.IpPacket;
        if (TcpPacket.TryParseIp(ip, out var packet) != PacketParseStatus.Ok)
        {
            // Parsed when captured; a failure here means the buffer was damaged after, which is a bug worth seeing.
            Stats.MalformedPacketsField++;
            return;
        }

        var tcp = packet.Tcp;
        var carriesAck = (tcp.Flags & TcpFlags.Ack) != 0;
        if (carriesAck)
        {
            tcp.SetAcknowledgmentNumber(_targetNext);
        }

        if (!segment.Rewritten)
        {
            packet.RewriteIpv4Source(FakeAddress, FakePort);
            packet.RewriteIpv4Destination(TargetAddress, TargetPort);
            tcp.SetWindow(OwnWindow);
            // The captured checksum cannot be trusted: under tx-checksum offload (veth, tap, most NICs) a capture on the
            // online host holds only the pseudo-header sum, and an incremental update of that stays wrong. One pass
            // over the segment makes it right whatever it was; the retransmissions after it update it incrementally.
            packet.ComputeChecksums();
            segment.Rewritten = true;
        }

        _host.Send(ip, TargetAddress);
        if (carriesAck)
        {
            AcknowledgmentSent();
        }

        segment.SentAt = now;
        if (firstTime)
        {
            OnFirstTransmit(segment, now);
        }
        else
        {
            Record.Retransmissions++;
            Stats.RetransmissionsField++;
        }

        if (_retransmitAt == long.MaxValue)
        {
            _retransmitAt = now + _rto;
        }
    }

    private void OnFirstTransmit(in PendingSegment segment, long now)
    {
        Record.SentPackets++;
        Record.SentBytes += segment.PayloadLength;
        Stats.ClientPacketsSentField++;
        Stats.BytesSentField += segment.PayloadLength;
        _sentNext = SequenceNumbers.Max(_sentNext, segment.End);
        if (segment.PayloadLength > 0 && !_dataSent)
        {
            _dataSent = true;
            _firstDataSentAt = now;
        }

        if (segment.PayloadLength > 0)
        {
            _lastDataSentAt = now;
            _answerMustAcknowledge = SequenceNumbers.Max(_answerMustAcknowledge, segment.End);
        }

        if (segment.StartsRequest)
        {
            Record.Requests++;
            _comparison.OnRequestSent(now);
            _unansweredRequests++;
            _awaitingResponse = true;
            _targetDataSinceRequest = false;
            _requestSentAt = now;
        }

        if (segment.Fin)
        {
            _finSent = true;
            var held = now - _clientFinCapturedAt;
            if (held > Millisecond)
            {
                Record.CloseHeld = TimeSpan.FromTicks(held / 100);
                Stats.CountCloseHeld(held / 100);
            }
        }
    }

    /// <summary>
    /// Pacing. WaitResponse holds each new request until the target has answered the previous one; Causal holds a
    /// reaction until the target's answer and the WebSocket Close like the FIN; every mode holds the client's FIN until
    /// the target has finished answering, so a close never cuts off an answer.
    /// </summary>
    private bool MaySend(in PendingSegment segment, long now, out long wakeAt)
    {
        wakeAt = long.MaxValue;
        var isBareFin = segment.Fin && segment.PayloadLength == 0;
        if (isBareFin)
        {
            return TargetDoneAnswering(now, _clientFinCapturedAt, out wakeAt);
        }

        if (Options.Pacing == PacingMode.Causal && (segment.AwaitsAnswer || segment.ApplicationClose))
        {
            return AnswerReleases(segment, now, out wakeAt);
        }

        if (Options.Pacing != PacingMode.WaitResponse || !segment.StartsRequest || !_awaitingResponse)
        {
            return true;
        }

        if (ResponseSettled(now, out wakeAt))
        {
            return true;
        }

        var giveUpAt = _requestSentAt + Options.ResponseWaitTimeout.Ticks * 100;
        if (now >= giveUpAt)
        {
            Stats.ResponseWaitTimeoutsField++;
            _awaitingResponse = false;
            return true;
        }

        wakeAt = Math.Min(wakeAt, giveUpAt);
        return false;
    }

    /// <summary>The target answered the last request: data came, and then a short quiet (shorter after a PSH).</summary>
    private bool ResponseSettled(long now, out long wakeAt)
    {
        wakeAt = long.MaxValue;
        if (!_awaitingResponse)
        {
            return true;
        }

        if (!_targetDataSinceRequest)
        {
            return false;
        }

        var settleAt = _lastTargetDataAt + ResponseSettleTime();
        if (now >= settleAt)
        {
            _awaitingResponse = false;
            return true;
        }

        wakeAt = settleAt;
        return false;
    }

    /// <summary>
    /// The close (the client's FIN, or with Causal its WebSocket Close) may go: the target closed, or all client data is
    /// acknowledged and the target has been silent for the drain time (or, with WaitResponse, has answered the last
    /// request); or 4 drain times have passed since the close was captured.
    /// </summary>
    private bool TargetDoneAnswering(long now, long closeCapturedAt, out long wakeAt)
    {
        wakeAt = long.MaxValue;
        if (_targetFinSeen)
        {
            return true;
        }

        var drain = Options.DrainTimeout.Ticks * 100;
        var lastHeard = Math.Max(_lastTargetDataAt, LastSendAt());
        // Every request sent must have had its answer end (a short PSH segment) before the close may go: with a lagging
        // copy several requests can be on the way at once, and a close after the first answer cut off the others.
        // The count is a heuristic (two answers in one segment count as one), so an uneven count holds the close only
        // until the target has been quiet for a while, not for the whole drain time.
        var countSettled = _unansweredRequests == 0 || now >= _lastTargetDataAt + AnswerQuiet();
        if (Options.Pacing == PacingMode.WaitResponse && _unacked.Count == 0 && countSettled && ResponseSettled(now, out wakeAt))
        {
            return true;
        }

        if (Options.Pacing == PacingMode.WaitResponse && _unacked.Count == 0 && !countSettled)
        {
            wakeAt = _lastTargetDataAt + AnswerQuiet();
        }

        // Quiet counts only once all client data is acknowledged; until then an acknowledgment (or the retransmission
        // timer) moves the close on, not a wake-up at a silence that has already passed.
        var silentUntil = lastHeard + drain;
        if (_unacked.Count == 0)
        {
            if (now >= silentUntil)
            {
                return true;
            }

            wakeAt = Math.Min(wakeAt, silentUntil);
        }

        // Never wait forever on a target that keeps talking: the drain time also bounds the wait from the client's FIN.
        var hardLimit = closeCapturedAt + (drain * 4);
        if (now >= hardLimit)
        {
            return true;
        }

        wakeAt = Math.Min(wakeAt, hardLimit);
        return false;
    }

    /// <summary>
    /// How long a target with requests still unanswered (by the count of short PSH segments, a heuristic) must be quiet
    /// before they count as answered anyway: 100 ms, or 4 round trips on a slow path.
    /// </summary>
    private long AnswerQuiet() => Math.Max(100 * Millisecond, 4 * _srtt);

    private long LastSendAt() => _unacked.Count > 0 ? _unacked.Peek().SentAt : _lastAckedAt;

    private void OnRetransmitTimer(long now)
    {
        if (_unacked.Count == 0)
        {
            _retransmitAt = long.MaxValue;
            return;
        }

        ++_retransmissions;
        if (_retransmissions > RetransmissionsBeforeDataIsDeclaredDropped && Phase == ConnectionPhase.Established
            && _targetAcked == _clientIsn + 1 && !_targetRepeatedSynAck && _unacked.Peek().PayloadLength > 0
            && now - _firstDataSentAt >= Math.Max(DataDeclaredDroppedAfter, 4 * Math.Max(_srtt, _host.RoundTripEstimate)))
        {
            SendReset();
            Close(CloseReason.DataNotAcknowledged, HandshakeFailure.None, DataNotAcknowledgedDetail(), now);
            return;
        }

        if (_retransmissions > MaxRetransmissions)
        {
            SendReset();
            Close(CloseReason.Timeout, HandshakeFailure.None,
                $"The target acknowledged nothing for {_retransmissions - 1} retransmissions of sequence {_unacked.Peek().Sequence}.", now);
            return;
        }

        var oldest = _unacked.Dequeue();
        oldest.Retransmitted = true;
        Transmit(ref oldest, now, firstTime: false);
        // Keep the retransmitted segment first: rebuild the queue order without allocating.
        var count = _unacked.Count;
        _unacked.Enqueue(oldest);
        for (var i = 0; i < count; i++)
        {
            _unacked.Enqueue(_unacked.Dequeue());
        }

        _rto = Math.Min(_rto * 2, MaxRto);
        _retransmitAt = now + _rto;
    }

    private string DataNotAcknowledgedDetail()
    {
        var oldest = _unacked.Peek();
        return $"The target completed the handshake but acknowledged none of the data sent to it ({_retransmissions - 1} retransmissions of "
            + $"{oldest.PayloadLength} bytes at sequence {oldest.Sequence}): its kernel dropped the segments, or its acknowledgments never came "
            + "back through the intercept. Likely causes: bad checksums (tcpdump -vv on the target prints 'incorrect'), segments larger "
            + "than the path's MTU (-Mtu), or a firewall, conntrack or IPS on the way dropping data from fake clients.";
    }

    /// <summary>
    /// Round-trip time as the copier sees it: target, intercept, channel and engine queue together. Under load the
    /// copier's view of the target lags, and the pacing waits scale with it instead of misreading a lag as silence.
    /// </summary>
    private void SampleRoundTrip(long sample)
    {
        if (sample <= 0)
        {
            return;
        }

        _srtt = _srtt == 0 ? sample : ((7 * _srtt) + sample) / 8;
    }

    /// <summary>Two smoothed round trips, within bounds: a lagging copier must not resend what is merely late.</summary>
    private long RetransmitTimeout() => Math.Clamp(2 * _srtt, MinRto, MaxRto);

    /// <summary>
    /// How long the target must stay silent before its answer counts as complete. A short segment with PSH usually
    /// ends a write; after a full-sized one more is coming, so the wait is two round trips (tcpcopy waits one RTT, or
    /// half of one after a short segment).
    /// </summary>
    private long ResponseSettleTime()
    {
        // A short segment with PSH ends the answer as far as can be told: the next request goes at once, so the copy
        // keeps the client's pace (waiting a round trip here made the copy fall behind a busy keep-alive client).
        var settle = _lastAnswerEnded ? 0 : Math.Max(20 * Millisecond, 2 * _srtt);
        return Math.Min(settle, 1_000 * Millisecond);
    }

    /// <summary>
    /// Cuts a captured packet bigger than the MTU (GRO/LRO merged it on the online host) into MTU-sized segments,
    /// instead of failing with EMSGSIZE as tcpcopy does.
    /// </summary>
    private void Resegment(PendingSegment segment)
    {
        var ip = segment.IpPacket;
        if (TcpPacket.TryParseIp(ip, out var packet) != PacketParseStatus.Ok)
        {
            Stats.MalformedPacketsField++;
            PacketBufferPool.ReturnToOwner(segment.Buffer);
            return;
        }

        var ipHeaderLength = packet.Ipv4.HeaderLength;
        var tcpHeaderLength = packet.Tcp.HeaderLength;
        var headerLength = ipHeaderLength + tcpHeaderLength;
        var maxPayload = Options.Mtu - headerLength;
        var payload = ip.Slice(headerLength, segment.PayloadLength);
        var flags = packet.Tcp.Flags;
        Stats.ResegmentedPacketsField++;

        for (var offset = 0; offset < payload.Length; offset += maxPayload)
        {
            var size = Math.Min(maxPayload, payload.Length - offset);
            var last = offset + size == payload.Length;
            var piece = _host.Pool.Rent();
            var span = piece.Array.AsSpan(0, headerLength + size);
            ip[..headerLength].CopyTo(span);
            payload.Slice(offset, size).CopyTo(span[headerLength..]);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)span.Length);
            BinaryPrimitives.WriteUInt32BigEndian(span[(ipHeaderLength + 4)..], segment.Sequence + (uint)offset);
            var pieceFlags = last ? flags : flags & ~(TcpFlags.Fin | TcpFlags.Psh);
            span[ipHeaderLength + 13] = (byte)pieceFlags;
            piece.Length = span.Length;
            _pending.Enqueue(new PendingSegment
            {
                Buffer = piece,
                IpOffset = 0,
                IpLength = span.Length,
                Sequence = segment.Sequence + (uint)offset,
                PayloadLength = size,
                Fin = last && segment.Fin,
                StartsRequest = offset == 0 && segment.StartsRequest,
                AwaitsAnswer = offset == 0 && segment.AwaitsAnswer,
                OnlineAnswerDelay = segment.OnlineAnswerDelay,
                ApplicationClose = segment.ApplicationClose,
                CapturedAt = segment.CapturedAt,
            });
        }

        PacketBufferPool.ReturnToOwner(segment.Buffer);
    }
}
