using System.Runtime.CompilerServices;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// Tells client data the client sent <em>because of</em> an answer (a reaction: the next message after a reply, the
/// WebSocket Close after the final result) from data it sends on its own clock (audio frames while partial results
/// arrive), from the client's packets alone: their acknowledgment numbers and capture times.
/// </summary>
/// <remarks>
/// A data segment is a reaction when all three hold (docs/pacing.md explains the rule and where it errs):
/// <list type="number">
/// <item>it acknowledges online server data that the client's previous data segment did not: the server spoke since;</item>
/// <item>the client acknowledged that data first at most <see cref="ReactionWindow"/> before the segment (in the segment
/// itself, or in a bare ACK just before it): the client spoke as soon as it had the data, not later on its own clock
/// (a client that does not answer acknowledges within its delayed-ACK time, 40-200 ms on Linux);</item>
/// <item>it ends a silence longer than the client's own rhythm: twice the longest of its last gaps between data
/// segments that were not reactions (at least <see cref="MinSilence"/>), or <see cref="FirstSilence"/> until three
/// such gaps are known.</item>
/// </list>
/// Gaps shorter than <see cref="BurstGap"/> are pieces of one write and say nothing about the rhythm. Times are capture
/// times, so an offline replay classifies a capture the same way at every speed. Allocation-free.
/// </remarks>
internal struct ClientRhythm
{
    internal const long Millisecond = 1_000_000;
    internal const long ReactionWindow = 100 * Millisecond;
    internal const long MinSilence = 20 * Millisecond;
    internal const long FirstSilence = 500 * Millisecond;
    internal const long BurstGap = 2 * Millisecond;
    private const int GapsForRhythm = 3;

    private bool _haveData;
    private long _lastDataAt;
    private uint _lastDataAck;
    private bool _haveAck;
    private uint _highestAck;
    private long _ackRaisedAt;
    private RecentGaps _gaps;
    private int _gapCount;
    private int _nextGap;

    /// <summary>A client packet that carries an acknowledgment (bare ACKs too: they say when the client had server data).</summary>
    public void OnAcknowledgment(uint ack, long capturedAt)
    {
        if (!_haveAck || SequenceNumbers.GreaterThan(ack, _highestAck))
        {
            _haveAck = true;
            _highestAck = ack;
            _ackRaisedAt = capturedAt;
        }
    }

    /// <summary>A new client data segment (no retransmission), after <see cref="OnAcknowledgment"/> for it; true when it is a reaction.</summary>
    /// <param name="ack">The segment's acknowledgment number.</param>
    /// <param name="capturedAt">Its capture time, nanoseconds.</param>
    /// <param name="answerDelay">
    /// For a reaction: how long the online server took to answer, as the client saw it (from its previous data segment to
    /// its first acknowledgment of the answer).
    /// </param>
    public bool IsReaction(uint ack, long capturedAt, out long answerDelay)
    {
        answerDelay = 0;
        if (!_haveData)
        {
            _haveData = true;
            _lastDataAt = capturedAt;
            _lastDataAck = ack;
            return false;
        }

        var gap = capturedAt - _lastDataAt;
        var reaction = SequenceNumbers.GreaterThan(ack, _lastDataAck)
            && capturedAt - _ackRaisedAt <= ReactionWindow
            && gap >= SilenceThreshold();
        if (reaction)
        {
            answerDelay = Math.Max(0, _ackRaisedAt - _lastDataAt);
        }
        else if (gap >= BurstGap)
        {
            _gaps[_nextGap] = gap;
            _nextGap = (_nextGap + 1) % RecentGaps.Length;
            _gapCount = Math.Min(_gapCount + 1, RecentGaps.Length);
        }

        _lastDataAt = Math.Max(_lastDataAt, capturedAt);
        _lastDataAck = SequenceNumbers.Max(_lastDataAck, ack);
        return reaction;
    }

    /// <summary>The silence a reaction must end: twice the client's longest recent own gap, or the first-contact default.</summary>
    internal readonly long SilenceThreshold()
    {
        if (_gapCount < GapsForRhythm)
        {
            return FirstSilence;
        }

        var longest = 0L;
        for (var i = 0; i < _gapCount; i++)
        {
            longest = Math.Max(longest, _gaps[i]);
        }

        return Math.Max(MinSilence, 2 * longest);
    }

    [InlineArray(Length)]
    private struct RecentGaps
    {
        public const int Length = 8;
        private long _first;
    }
}
