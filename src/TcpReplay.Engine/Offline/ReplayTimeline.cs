using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// Hands client packets of a capture to the copy engine on the capture's timeline × speed, strictly: packets go in
/// the order offered (so per connection in capture order), none before its deadline, and a connection's close
/// (FIN or RST) no earlier after that connection's first packet than in the capture (scaled by the speed), even
/// when the first packet itself went late.
/// </summary>
/// <remarks>
/// A connection's start "as actually played" is when the copier sent its SYN (<see cref="IConnectionStarts"/>), or the
/// hand-over of its first packet when that is later or not known. A close whose own deadline (that start + its
/// capture offset) is later than the
/// timeline's waits in a small priority queue, and every later packet of its connection waits behind it; other
/// connections go on meanwhile. At <see cref="ReplaySpeed.Max"/> there are no deadlines: packets go as fast as the
/// hand-over accepts them, and only the copy engine's close hold (until the target has answered) applies.
/// Runs on one thread; allocates nothing per packet once the deferred queue has grown to its working size.
/// </remarks>
internal sealed class ReplayTimeline
{
    /// <summary>
    /// A close is due this much after its capture offset from the connection's (played) first packet: the engine sends
    /// that first packet some microseconds after the hand-over, and the close must not gain them.
    /// </summary>
    internal const long CloseGuardNanoseconds = 1_000_000;

    private readonly PrecisionScheduler _scheduler;
    private readonly ReplaySpeed _speed;
    /// <summary>How long a close waits at most for the copier to send its connection's SYN, before it goes on the hand-over's anchor.</summary>
    internal const long StartWaitNanoseconds = 1_000_000_000;

    private readonly Action<PacketBuffer, LinkType> _post;
    private readonly IConnectionStarts? _starts;
    private readonly PriorityQueue<Deferred, (long Due, long Order)> _deferred = new();
    private long _start;
    private long _order;

    /// <param name="scheduler">The clock and waits.</param>
    /// <param name="speed">The timeline's speed.</param>
    /// <param name="post">Hands one packet to the engine (which then owns the buffer); may block for back-pressure.</param>
    /// <param name="starts">When the copier sent each connection's SYN; null to measure from the hand-over only.</param>
    public ReplayTimeline(PrecisionScheduler scheduler, ReplaySpeed speed, Action<PacketBuffer, LinkType> post, IConnectionStarts? starts = null)
    {
        _scheduler = scheduler;
        _speed = speed;
        _post = post;
        _starts = starts;
    }

    /// <summary>Timeline offset (capture nanoseconds, unscaled) of the last packet handed over.</summary>
    public long OffsetDone { get; private set; }

    /// <summary>Connections whose first packet has been handed over.</summary>
    public long ConnectionsStarted { get; private set; }

    /// <summary>Packets handed over.</summary>
    public long PacketsPosted { get; private set; }

    /// <summary>Closes (FIN, RST or a client WebSocket Close) that waited for their connection's own deadline, past the timeline's.</summary>
    public long ClosesDeferred { get; private set; }

    /// <summary>Packets waiting behind a deferred close.</summary>
    public int DeferredCount => _deferred.Count;

    /// <summary>Starts the timeline: offset 0 is now.</summary>
    public void Begin() => _start = _scheduler.Now;

    /// <summary>
    /// Hands one client packet over at its deadline (waiting for it), or defers it behind its connection's pending close.
    /// The timeline owns <paramref name="buffer"/> from here on.
    /// </summary>
    /// <param name="buffer">The packet, link header first.</param>
    /// <param name="linkType">Its link type.</param>
    /// <param name="flow">Its connection.</param>
    /// <param name="offset">Its timeline offset: capture nanoseconds since the timeline's first packet (unscaled).</param>
    /// <param name="timestamp">Its capture time (Unix ns), for the connection-relative close rule.</param>
    /// <param name="isClose">True for a FIN or RST, or a client WebSocket Close frame (the application's close).</param>
    /// <param name="cancellation">Stops waiting; the packet is then returned to its pool, not handed over.</param>
    public void Offer(PacketBuffer buffer, LinkType linkType, ReplayFlow flow, long offset, long timestamp, bool isClose, CancellationToken cancellation)
    {
        if (_speed.IsMax)
        {
            Post(new Deferred(buffer, linkType, flow, offset));
            return;
        }

        var due = _start + _speed.Scale(offset);
        var timelineDue = due;
        if (isClose && flow.Anchor != long.MinValue)
        {
            due = Math.Max(due, ConnectionStart(flow, cancellation) + _speed.Scale(timestamp - flow.FirstTimestamp) + CloseGuardNanoseconds);
        }

        due = Math.Max(due, flow.LastDue);
        flow.LastDue = due;
        Release(due, cancellation);
        if (cancellation.IsCancellationRequested)
        {
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        if (flow.Deferred > 0 || due > timelineDue)
        {
            if (isClose && flow.Deferred == 0)
            {
                ClosesDeferred++;
            }

            flow.Deferred++;
            _deferred.Enqueue(new Deferred(buffer, linkType, flow, offset), (due, _order++));
            return;
        }

        _scheduler.WaitUntil(due, cancellation);
        if (cancellation.IsCancellationRequested)
        {
            PacketBufferPool.ReturnToOwner(buffer);
            return;
        }

        Post(new Deferred(buffer, linkType, flow, offset));
    }

    /// <summary>Hands over every deferred packet at its deadline (the end of the files).</summary>
    public void Flush(CancellationToken cancellation) => Release(long.MaxValue, cancellation);

    /// <summary>Returns the buffers of packets never handed over (after a stop).</summary>
    public void Discard()
    {
        while (_deferred.TryDequeue(out var item, out _))
        {
            PacketBufferPool.ReturnToOwner(item.Buffer);
        }
    }

    private void Release(long upTo, CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested && _deferred.TryPeek(out _, out var priority) && priority.Due <= upTo)
        {
            _scheduler.WaitUntil(priority.Due, cancellation);
            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            var item = _deferred.Dequeue();
            item.Flow.Deferred--;
            Post(item);
        }
    }

    /// <summary>
    /// When the connection started as the target saw it: the copier's SYN if it has gone (waiting for it, bounded, when
    /// the engine lags), and never before the hand-over of its first packet.
    /// </summary>
    private long ConnectionStart(ReplayFlow flow, CancellationToken cancellation)
    {
        if (_starts is null)
        {
            return flow.Anchor;
        }

        var giveUpAt = _scheduler.Now + StartWaitNanoseconds;
        long sentAt;
        while (!_starts.TryGetStart(flow.Port, flow.HandedOverFrom, out sentAt))
        {
            if (_scheduler.Now >= giveUpAt || cancellation.IsCancellationRequested)
            {
                return flow.Anchor;
            }

            _scheduler.WaitUntil(_scheduler.Now + 1_000_000, cancellation, countLateness: false);
        }

        return Math.Max(flow.Anchor, sentAt);
    }

    private void Post(in Deferred item)
    {
        var first = item.Flow.Anchor == long.MinValue;
        if (first)
        {
            item.Flow.HandedOverFrom = _scheduler.Now;
        }

        _post(item.Buffer, item.LinkType);
        PacketsPosted++;
        OffsetDone = Math.Max(OffsetDone, item.Offset);
        if (first)
        {
            // Taken after the hand-over: the connection's close is measured from here.
            item.Flow.Anchor = _scheduler.Now;
            ConnectionsStarted++;
        }
    }

    private readonly record struct Deferred(PacketBuffer Buffer, LinkType LinkType, ReplayFlow Flow, long Offset);
}
