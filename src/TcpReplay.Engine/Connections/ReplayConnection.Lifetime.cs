using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Connections;

internal sealed partial class ReplayConnection
{
    /// <summary>Runs whatever is due: SYN retransmission or handshake failure, capture-gap decision, retransmission, pacing, drain.</summary>
    public void OnTimer(long now)
    {
        if (Phase == ConnectionPhase.SynSent)
        {
            var deadline = _handshakeDeadline;
            if (now >= deadline)
            {
                FailHandshake(now);
                return;
            }

            if (now >= _nextSynAt)
            {
                SendSyn();
                _comparison.OnSynResent();
                Record.Retransmissions++;
                Stats.RetransmissionsField++;
                _synInterval *= 2;
                _nextSynAt = Math.Min(now + _synInterval, deadline);
            }
        }

        if (_outOfOrder.Count > 0 && now >= OldestOutOfOrderAt() + (Options.GapTolerance.Ticks * 100))
        {
            OnCaptureGap(now);
            return;
        }

        if (Phase == ConnectionPhase.Established)
        {
            if (now >= _retransmitAt)
            {
                OnRetransmitTimer(now);
                if (Phase == ConnectionPhase.Ended)
                {
                    return;
                }
            }

            TryFlush(now);
            SendDueAcknowledgment(now);
        }

        CheckClientReset(now);
        ScheduleNext();
    }

    /// <summary>Ends an open copy from outside (stop, eviction, idle timeout), resetting the target's socket.</summary>
    public void Abort(CloseReason reason, string detail, long now)
    {
        if (Phase is ConnectionPhase.SynSent or ConnectionPhase.Established)
        {
            SendReset();
        }

        Close(reason, HandshakeFailure.None, detail, now);
    }

    /// <summary>Marks the copy as ended without touching the target: used when it never started.</summary>
    public void EndUnstarted(CloseReason reason, string detail, long now) => Close(reason, HandshakeFailure.None, detail, now);

    /// <summary>Opens this (new) copy with segments a previous copy of the same client connection held after a capture gap.</summary>
    public void Adopt(Queue<PendingSegment> held, long now)
    {
        if (held.Count == 0)
        {
            return;
        }

        var first = held.Peek();
        _clientIsn = first.Sequence - 1;
        _nextClientSequence = first.Sequence;
        _haveClientSequence = true;
        _clientMss = Options.DefaultMss;
        Stats.ConnectionsWithoutSynField++;
        StartHandshake(now);
        while (held.Count > 0)
        {
            AcceptInSequenceOrder(held.Dequeue(), now);
        }

        ScheduleNext();
    }

    private void FailHandshake(long now)
    {
        var fake = Record.FakeClientAddress;
        var (cause, detail) = Options.BystanderAddresses.Contains(FakeAddress)
            ? (HandshakeFailure.BystanderReset,
                $"The fake client address {fake} answered ARP on the target's segment: a real host owns it, receives the target's SYN-ACK and answers with RST. " +
                $"Fix: use another -FakeClientAddress, or on the target route it via the assistant: Set-TargetRoute -FakeClientNetwork {fake}/32 -Assistant <assistant address>.")
            : !_host.AnyTargetResponseSeen
                ? (HandshakeFailure.NoResponseAtAll,
                    $"No target packet has come back through the intercept at all. On the target, route the fake client network via the assistant (Set-TargetRoute -FakeClientNetwork <network> -Assistant <assistant>); on the assistant, check that Start-Intercept captures on the interface facing the target.")
                : (HandshakeFailure.NoSynAck,
                    $"No SYN-ACK from {Transfer.TargetIPAddress}:{TargetPort} within {TimeSpan.FromTicks((_handshakeDeadline - _synSentAt) / 100).TotalSeconds:0.#} s while other connections got theirs: the target's SYN backlog may be full, or a firewall drops this fake client.");
        SendReset();
        Close(CloseReason.HandshakeFailed, cause, detail, now);
    }

    private void Close(CloseReason reason, HandshakeFailure cause, string? detail, long now)
    {
        if (Phase == ConnectionPhase.Ended)
        {
            return;
        }

        EndAnswerHold(now);
        Phase = ConnectionPhase.Ended;
        EndedAt = now;
        _comparison.FinishAll();
        Record.CloseReason = reason;
        Record.HandshakeFailure = cause;
        Record.CloseDetail = detail;
        Record.EndTime = _host.UtcNow;
        Stats.CountClosed(reason, cause);
        Stats.CountFailure(Record);
        ReleaseBuffers(_pending);
        ReleaseBuffers(_unacked);
        foreach (var held in _outOfOrder)
        {
            PacketBufferPool.ReturnToOwner(held.Buffer);
        }

        _outOfOrder.Clear();
        _retransmitAt = long.MaxValue;
        _pacingWakeAt = long.MaxValue;
        _drainDeadline = long.MaxValue;
        _resetDeadline = long.MaxValue;
        _resetQuietAt = long.MaxValue;
        _ = now;
        _host.OnClosed(this);
    }

    private void ReleaseBuffers(Queue<PendingSegment> queue)
    {
        while (queue.Count > 0)
        {
            PacketBufferPool.ReturnToOwner(queue.Dequeue().Buffer);
        }
    }

    private long OldestOutOfOrderAt()
    {
        var oldest = long.MaxValue;
        foreach (var held in _outOfOrder)
        {
            oldest = Math.Min(oldest, held.CapturedAt);
        }

        return oldest;
    }

    private void ScheduleNext()
    {
        if (Phase == ConnectionPhase.Ended)
        {
            return;
        }

        var due = long.MaxValue;
        if (Phase == ConnectionPhase.SynSent)
        {
            due = Math.Min(_nextSynAt, _handshakeDeadline);
        }

        if (_outOfOrder.Count > 0)
        {
            due = Math.Min(due, OldestOutOfOrderAt() + (Options.GapTolerance.Ticks * 100));
        }

        due = Math.Min(due, Math.Min(_retransmitAt, Math.Min(_pacingWakeAt, Math.Min(_drainDeadline, Math.Min(_resetDeadline, _resetQuietAt)))));
        due = Math.Min(due, _ackDueAt);
        if (due != long.MaxValue)
        {
            _host.Schedule(this, due);
        }
    }

    /// <summary>The key of the client connection on the online host (client address, client port, online port).</summary>
    public static ulong ClientKey(uint clientAddress, ushort clientPort, ushort onlinePort) =>
        ((ulong)clientAddress << 32) | ((ulong)clientPort << 16) | onlinePort;

    /// <summary>The key under which the target's packets find this copy (fake address, fake port, target port).</summary>
    public static ulong FakeKey(uint fakeAddress, ushort fakePort, ushort targetPort) =>
        ((ulong)fakeAddress << 32) | ((ulong)fakePort << 16) | targetPort;

    public ulong OwnClientKey => ClientKey(ClientAddress, ClientPort, Transfer.OnlinePort);

    public ulong OwnFakeKey => FakeKey(FakeAddress, FakePort, TargetPort);

    internal static bool IsBareSyn(TcpFlags flags) => (flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;
}
