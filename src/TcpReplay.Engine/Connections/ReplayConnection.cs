using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// Plays the client side of one copied connection against the target: handshake, client segments with the
/// target's acknowledgment numbers, retransmission, pacing and close.
/// </summary>
/// <remarks>
/// The client's sequence numbers are kept as they are; only addresses, ports, the acknowledgment number and the
/// window are rewritten, in place. Both checksums are computed afresh at a segment's first send (a captured checksum can
/// be partial) and updated incrementally for its retransmissions. The copier acknowledges the target's data itself, so
/// the target never waits on the real client's ACK pattern. Runs on the engine thread only.
/// </remarks>
internal sealed partial class ReplayConnection
{
    private const byte OwnWindowScale = 7;
    private const ushort OwnWindow = 65535;
    private const int MaxOutOfOrder = 64;

    private readonly IConnectionHost _host;
    private readonly ResponseComparison _comparison;
    private readonly Queue<PendingSegment> _pending;
    private readonly Queue<PendingSegment> _unacked;
    private readonly List<PendingSegment> _outOfOrder = [];

    private bool _haveClientSequence;
    private uint _clientIsn;
    private uint _nextClientSequence;
    private bool _haveClientAck;
    private uint _lastClientAck;
    private ushort _clientMss;
    private const string ClientResetDetail = "The client reset its connection to the online server; the reset was passed on.";

    private bool _clientEnded;
    private bool _resetAfterBacklog;
    private long _resetDeadline = long.MaxValue;
    private long _resetQuietAt = long.MaxValue;
    private long _clientFinCapturedAt;
    private ClientRhythm _rhythm;
    private bool _protocolKnown;
    private bool _plainHttp;
    private bool _webSocket;

    public ReplayConnection(IConnectionHost host, CopiedConnection record, Transfer transfer, uint clientAddress, ushort clientPort,
        uint fakeAddress, ushort fakePort, long now)
    {
        _host = host;
        _pending = new(host.ExpectedBacklogPerConnection);
        _unacked = new(host.ExpectedBacklogPerConnection);
        Record = record;
        Transfer = transfer;
        ClientAddress = clientAddress;
        ClientPort = clientPort;
        FakeAddress = fakeAddress;
        FakePort = fakePort;
        CreatedAt = now;
        LastActivity = now;
        _rto = MinRto;
        _comparison = new ResponseComparison(host, record, OwnClientKey);
    }

    public CopiedConnection Record { get; }

    public Transfer Transfer { get; }

    public uint ClientAddress { get; }

    public ushort ClientPort { get; }

    public uint FakeAddress { get; }

    public ushort FakePort { get; }

    public uint TargetAddress => Transfer.TargetAddress;

    public ushort TargetPort => Transfer.TargetPort;

    public ConnectionPhase Phase { get; private set; }

    public long CreatedAt { get; }

    /// <summary>Monotonic nanoseconds of the last packet either way.</summary>
    public long LastActivity { get; private set; }

    /// <summary>The earliest wake-up the engine holds for this connection; long.MaxValue when none.</summary>
    public long ScheduledDue { get; set; } = long.MaxValue;

    /// <summary>Monotonic nanoseconds when the copy ended; meaningful once <see cref="Phase"/> is Ended.</summary>
    public long EndedAt { get; private set; }

    /// <summary>The client's connection is over (FIN or RST captured): an ended copy can be forgotten.</summary>
    public bool ClientEnded => _clientEnded;

    public bool HasClientIsn => _haveClientSequence;

    public uint ClientIsn => _clientIsn;

    private CopyEngineOptions Options => _host.Options;

    private CopyStatistics Stats => _host.Statistics;

    /// <summary>The first payload bytes of a segment the capture holds, never past the segment's own payload.</summary>
    internal static ReadOnlySpan<byte> CapturedPayload(in TcpHeader tcp, int payloadLength)
    {
        var payload = tcp.Payload;
        return payload.Length > payloadLength ? payload[..payloadLength] : payload;
    }

    /// <summary>A packet the online server sent to this client (the other direction on the online host), for the comparison.</summary>
    public void OnOnlinePacket(in TcpHeader tcp, int payloadLength, long capturedAtUnixNanoseconds) =>
        _comparison.OnOnlineData(tcp.SequenceNumber, tcp.AcknowledgmentNumber, payloadLength, CapturedPayload(tcp, payloadLength), capturedAtUnixNanoseconds);

    /// <summary>Takes one captured client packet; the connection owns <paramref name="buffer"/> from here on.</summary>
    public void OnClientPacket(PacketBuffer buffer, in TcpPacket packet, long now)
    {
        LastActivity = now;
        var tcp = packet.Tcp;
        var flags = tcp.Flags;
        var payload = packet.PayloadLength;
        Record.ClientPackets++;
        Record.ClientBytes += payload;

        if (Phase == ConnectionPhase.Ended)
        {
            _clientEnded |= (flags & (TcpFlags.Fin | TcpFlags.Rst)) != 0;
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        if ((flags & TcpFlags.Rst) != 0)
        {
            _clientEnded = true;
            PacketBufferPool.ReturnToOwner(buffer);
            if (Phase == ConnectionPhase.New)
            {
                Close(CloseReason.ClientReset, HandshakeFailure.None, ClientResetDetail, now);
                return;
            }

            // The copy may lag the client: the requests still queued go first, then the reset, as the client sent them.
            _resetAfterBacklog = true;
            _resetDeadline = now + (Options.DrainTimeout.Ticks * 100 * 4);
            TryFlush(now);
            CheckClientReset(now);
            ScheduleNext();
            return;
        }

        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
        {
            OnClientSyn(tcp, now);
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        var capturedAt = buffer.TimestampNanoseconds != 0 ? buffer.TimestampNanoseconds : now;
        if ((flags & TcpFlags.Ack) != 0)
        {
            _rhythm.OnAcknowledgment(tcp.AcknowledgmentNumber, capturedAt);
        }

        var fin = (flags & TcpFlags.Fin) != 0;
        if (payload == 0 && !fin)
        {
            // A bare ACK acknowledges the online server's data; the copier acknowledges the target's data itself.
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        if (Phase == ConnectionPhase.New)
        {
            // No SYN captured (open before the copy started, or re-opened after a gap): open with a SYN of our own
            // just before this segment, as tcpcopy does.
            _clientIsn = tcp.SequenceNumber - 1;
            _nextClientSequence = tcp.SequenceNumber;
            _haveClientSequence = true;
            _clientMss = Options.DefaultMss;
            Stats.ConnectionsWithoutSynField++;
            StartHandshake(now);
        }

        var segment = new PendingSegment
        {
            Buffer = buffer,
            IpOffset = packet.NetworkOffset,
            IpLength = packet.Ipv4.TotalLength,
            Sequence = tcp.SequenceNumber,
            PayloadLength = payload,
            Fin = fin,
            CapturedAt = now,
        };

        if (payload > 0)
        {
            var ack = tcp.AcknowledgmentNumber;
            segment.ClientAck = ack;
            // A burst of client data after server data is a request; so is new data that starts with an HTTP/1.x request
            // line (pipelined requests carry the same acknowledgment number).
            var captured = CapturedPayload(tcp, payload);
            segment.StartsRequest = !_haveClientAck || ack != _lastClientAck ||
                (SequenceNumbers.GreaterOrEqual(tcp.SequenceNumber, _nextClientSequence) &&
                 HttpHead.IsRequestStart(captured));
            _haveClientAck = true;
            _lastClientAck = ack;
            // A client retransmission says nothing about the client's rhythm (it is dropped as a duplicate below).
            if (SequenceNumbers.GreaterThan(segment.End, _nextClientSequence))
            {
                ClassifyForCausalPacing(ref segment, captured, ack, capturedAt);
            }
        }

        AcceptInSequenceOrder(segment, now);
        TryFlush(now);
        ScheduleNext();
    }

    /// <summary>
    /// Marks what Causal pacing holds: a reaction to an answer (<see cref="ClientRhythm"/>), and a WebSocket Close frame.
    /// The protocol is read from the connection's first new data: plain HTTP/1.x requests are never held (a server answers
    /// pipelined requests in order, and holding them would make the copy lag a busy keep-alive client).
    /// </summary>
    private void ClassifyForCausalPacing(ref PendingSegment segment, ReadOnlySpan<byte> captured, uint ack, long capturedAt)
    {
        if (!_protocolKnown)
        {
            _protocolKnown = true;
            _webSocket = WebSocketHead.IsUpgradeRequest(captured);
            _plainHttp = !_webSocket && HttpHead.IsRequestStart(captured);
        }

        var reaction = _rhythm.IsReaction(ack, capturedAt, out var answerDelay);
        if (Options.Pacing != PacingMode.Causal)
        {
            return;
        }

        segment.AwaitsAnswer = reaction && !_plainHttp;
        segment.OnlineAnswerDelay = answerDelay;
        segment.ApplicationClose = _webSocket && WebSocketHead.IsClientCloseFrame(captured);
    }

    private void OnClientSyn(TcpHeader tcp, long now)
    {
        if (Phase != ConnectionPhase.New)
        {
            Record.DuplicatesDropped++;
            Stats.DuplicatesDroppedField++;
            return;
        }

        _clientIsn = tcp.SequenceNumber;
        _nextClientSequence = tcp.SequenceNumber + 1;
        _haveClientSequence = true;
        _clientMss = tcp.TryGetMss(out var mss) ? mss : Options.DefaultMss;
        Record.SynSeen = true;
        StartHandshake(now);
        ScheduleNext();
    }

    /// <summary>
    /// Client retransmissions are dropped; a segment beyond the next expected sequence waits (reordering) up to
    /// the gap tolerance for the missing one, then counts as a capture gap.
    /// </summary>
    private void AcceptInSequenceOrder(PendingSegment segment, long now)
    {
        if (SequenceNumbers.LessOrEqual(segment.End, _nextClientSequence))
        {
            Record.DuplicatesDropped++;
            Stats.DuplicatesDroppedField++;
            PacketBufferPool.ReturnToOwner(segment.Buffer);
            return;
        }

        if (SequenceNumbers.GreaterThan(segment.Sequence, _nextClientSequence))
        {
            _outOfOrder.Add(segment);
            if (_outOfOrder.Count > MaxOutOfOrder)
            {
                OnCaptureGap(now);
            }

            return;
        }

        Accept(segment);
        TakeContiguousOutOfOrder();
    }

    private void TakeContiguousOutOfOrder()
    {
        var progress = true;
        while (progress && _outOfOrder.Count > 0)
        {
            progress = false;
            for (var i = 0; i < _outOfOrder.Count; i++)
            {
                var held = _outOfOrder[i];
                if (SequenceNumbers.GreaterThan(held.Sequence, _nextClientSequence))
                {
                    continue;
                }

                _outOfOrder.RemoveAt(i);
                progress = true;
                if (SequenceNumbers.LessOrEqual(held.End, _nextClientSequence))
                {
                    Record.DuplicatesDropped++;
                    Stats.DuplicatesDroppedField++;
                    PacketBufferPool.ReturnToOwner(held.Buffer);
                }
                else
                {
                    Accept(held);
                }

                break;
            }
        }
    }

    private void Accept(PendingSegment segment)
    {
        // A partial overlap with data already taken is passed on whole: the target's TCP trims what it has.
        _nextClientSequence = segment.End;
        if (segment.StartsRequest)
        {
            _comparison.OnRequestCaptured(segment.ClientAck, segment.Buffer.TimestampNanoseconds);
        }

        if (segment.Fin)
        {
            _clientEnded = true;
            _clientFinCapturedAt = segment.CapturedAt;
        }

        if (segment.IpLength > Options.Mtu)
        {
            Resegment(segment);
            return;
        }

        _pending.Enqueue(segment);
    }

    private void OnCaptureGap(long now)
    {
        var first = _outOfOrder[0];
        foreach (var held in _outOfOrder)
        {
            if (SequenceNumbers.LessThan(held.Sequence, first.Sequence))
            {
                first = held;
            }
        }

        var missing = first.Sequence - _nextClientSequence;
        Stats.CaptureGapsField++;
        Stats.CaptureGapBytesField += missing;

        var heldSegments = new Queue<PendingSegment>(_outOfOrder.OrderBy(s => s.Sequence, SequenceComparer.Instance));
        _outOfOrder.Clear();
        if (Phase is ConnectionPhase.SynSent or ConnectionPhase.Established)
        {
            SendReset();
        }

        Close(CloseReason.CaptureGap, HandshakeFailure.None,
            $"The capture missed {missing} client bytes at sequence {_nextClientSequence}; the copy was reset and re-opened at the next client segment. " +
            "Under load, capture with a larger buffer (-CaptureMode Pcap) or on a less busy interface.", now);
        _host.Reopen(this, heldSegments);
    }

    private sealed class SequenceComparer : IComparer<uint>
    {
        public static readonly SequenceComparer Instance = new();

        public int Compare(uint x, uint y) => x == y ? 0 : SequenceNumbers.LessThan(x, y) ? -1 : 1;
    }
}
