namespace TcpReplay.Engine.Sessions;

/// <summary>The counters as one list, so a copy running in another process can be mirrored here (Hosting).</summary>
public sealed partial class CopyStatistics
{
    internal delegate void CounterVisitor(ref long counter);

    /// <summary>
    /// Visits every counter in one fixed order, close reasons and handshake causes included: the copier process writes
    /// them in this order and its session's mirror reads them back in it, so a counter added here travels too.
    /// </summary>
    internal void VisitCounters(CounterVisitor visit)
    {
        visit(ref ClientPacketsSeenField);
        visit(ref ClientBytesSeenField);
        visit(ref PacketsSentField);
        visit(ref ClientPacketsSentField);
        visit(ref BytesSentField);
        visit(ref ConnectionsOpenedField);
        visit(ref ConnectionsWithoutSynField);
        visit(ref ResponsesReceivedField);
        visit(ref ResponseBytesField);
        visit(ref UnmatchedResponsesField);
        visit(ref RetransmissionsField);
        visit(ref DuplicatesDroppedField);
        visit(ref CaptureGapsField);
        visit(ref CaptureGapBytesField);
        visit(ref ResegmentedPacketsField);
        visit(ref MalformedPacketsField);
        visit(ref IgnoredPacketsField);
        visit(ref EvictionsField);
        visit(ref RecordsDroppedField);
        visit(ref ResponseWaitTimeoutsField);
        visit(ref CloseHeldTicksField);
        visit(ref CloseHeldMaxTicksField);
        visit(ref ClosesHeldField);
        visit(ref AnswerHoldsField);
        visit(ref AnswerHeldTicksField);
        visit(ref AnswerHeldMaxTicksField);
        visit(ref AnswerWaitTimeoutsField);
        visit(ref SendErrorsTotalField);
        visit(ref OnlinePacketsSeenField);
        visit(ref OnlinePacketsUnmatchedField);
        visit(ref ExchangesComparedField);
        visit(ref StatusCodesComparedField);
        visit(ref StatusMismatchesField);
        visit(ref SizesComparedField);
        visit(ref SizeMismatchesField);
        visit(ref TargetSilentConnectionsField);
        visit(ref BacklogWaitsField);
        visit(ref BacklogWaitTicksField);
        visit(ref EngineQueueDropsField);
        for (var i = 0; i < _closed.Length; i++)
        {
            visit(ref _closed[i]);
        }

        for (var i = 0; i < _handshakeFailures.Length; i++)
        {
            visit(ref _handshakeFailures[i]);
        }
    }

    /// <summary>The mirror's send errors by errno become the copier process's.</summary>
    internal void ReplaceSendErrors(IReadOnlyDictionary<int, long> errors)
    {
        lock (_sendErrorsLock)
        {
            _sendErrors.Clear();
            foreach (var (errno, count) in errors)
            {
                _sendErrors[errno] = count;
            }
        }
    }
}
