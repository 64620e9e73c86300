namespace TcpReplay.Engine.Connections;

/// <summary>
/// Causal pacing: a client segment the client sent because of an answer waits until the target has given its own
/// answer; a WebSocket Close frame that is no reaction waits like the TCP close. docs/pacing.md has the rule.
/// </summary>
internal sealed partial class ReplayConnection
{
    /// <summary>When the segment now first in line began to wait for an answer; long.MaxValue when none waits.</summary>
    private long _answerHoldSince = long.MaxValue;

    /// <summary>The highest acknowledgment number in the target's data: how much client data it had when it last spoke.</summary>
    private uint _answerAck;
    private bool _haveAnswerAck;

    /// <summary>When new target data last came (a retransmission of old data is no answer).</summary>
    private long _lastAnswerDataAt;

    /// <summary>The hold of the segment first in line ran out its bound (counted once).</summary>
    private bool _answerHoldTimedOut;

    /// <summary>When the copy last sent new client data: a reaction's answer is target data that comes after it.</summary>
    private long _lastDataSentAt;

    /// <summary>
    /// An answer must take at least this fraction of the time the online server took: target data much sooner than that is
    /// something the target was sending anyway (a partial result written just as the last client message came in), not
    /// the answer the client waited for.
    /// </summary>
    private const int AnswerDelayFraction = 4;

    /// <summary>The target wrote new data: what it had received of the client's by then is what that data answers.</summary>
    private void OnTargetSpoke(uint acknowledgment, long now)
    {
        _lastAnswerDataAt = now;
        if (!_haveAnswerAck || SequenceNumbers.GreaterThan(acknowledgment, _answerAck))
        {
            _haveAnswerAck = true;
            _answerAck = acknowledgment;
        }
    }

    /// <summary>
    /// A held segment may go: a reaction once the target has answered what came before it (or the response wait timeout
    /// ran out, counted); an application close that is no reaction once the target is done answering, as the TCP close.
    /// </summary>
    private bool AnswerReleases(in PendingSegment segment, long now, out long wakeAt)
    {
        if (_answerHoldSince == long.MaxValue)
        {
            _answerHoldSince = now;
        }

        if (!segment.AwaitsAnswer)
        {
            return TargetDoneAnswering(now, segment.CapturedAt, out wakeAt);
        }

        // A copy re-opened after a capture gap has sent nothing the target could answer yet.
        wakeAt = long.MaxValue;
        if (!_dataSent || AnsweredBefore(segment.Sequence, _lastDataSentAt + (segment.OnlineAnswerDelay / AnswerDelayFraction), now, out wakeAt))
        {
            return true;
        }

        var giveUpAt = _answerHoldSince + (Options.ResponseWaitTimeout.Ticks * 100);
        if (now >= giveUpAt)
        {
            // The segment may still wait for the target's window: the bound is counted once per hold.
            if (!_answerHoldTimedOut)
            {
                _answerHoldTimedOut = true;
                Record.AnswerWaitTimeouts++;
                Stats.AnswerWaitTimeoutsField++;
            }

            return true;
        }

        wakeAt = Math.Min(wakeAt, giveUpAt);
        return false;
    }

    /// <summary>
    /// The target has answered the client data before <paramref name="sequence"/>: it sent data after it had all of it
    /// (the data's acknowledgment number covers it) and no sooner than <paramref name="notBefore"/>, and that answer has
    /// settled (a short PSH segment ends it at once, otherwise a short quiet); or it closed.
    /// </summary>
    private bool AnsweredBefore(uint sequence, long notBefore, long now, out long wakeAt)
    {
        wakeAt = long.MaxValue;
        if (_targetFinSeen)
        {
            return true;
        }

        if (!_haveAnswerAck || SequenceNumbers.LessThan(_answerAck, sequence) || _lastAnswerDataAt < notBefore)
        {
            return false;
        }

        var settleAt = _lastAnswerDataAt + ResponseSettleTime();
        if (now >= settleAt)
        {
            return true;
        }

        wakeAt = settleAt;
        return false;
    }

    /// <summary>
    /// The segment first in line goes now, or the copy ends while it waits: a hold of a millisecond or more is counted,
    /// on the connection and the session.
    /// </summary>
    private void EndAnswerHold(long now)
    {
        if (_answerHoldSince == long.MaxValue)
        {
            return;
        }

        var held = now - _answerHoldSince;
        _answerHoldSince = long.MaxValue;
        _answerHoldTimedOut = false;
        if (held >= Millisecond)
        {
            Record.AnswerHolds++;
            Record.AnswerHeld += TimeSpan.FromTicks(held / 100);
            Stats.CountAnswerHeld(held / 100);
        }
    }
}
