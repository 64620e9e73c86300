namespace TcpReplay.Engine.Connections;

/// <summary>
/// The one table of a copy's counters: each line names the counter's property, its metric (or none), unit, kind and
/// meaning, and the field behind it. The host pipe's codec, the metrics and the wire order are derived from it, and a
/// test checks that every counter field is in it and that each line's property reads its field; adding a counter is
/// its field, its property, one line here and the code that counts it.
/// </summary>
public sealed partial class CopyStatistics
{
    /// <summary>Every counter in wire order (the copier process writes them so, its session's mirror reads them so).</summary>
    public static IReadOnlyList<CopyCounter> Counters { get; } =
    [
        new(nameof(ClientPacketsSeen), "tcpreplay.copy.client_packets", "{packet}", CopyCounterKind.Count, "Client packets captured for the copied ports.", s => ref s.ClientPacketsSeenField),
        new(nameof(ClientBytesSeen), "tcpreplay.copy.client_bytes", "By", CopyCounterKind.Count, "Client TCP payload bytes captured for the copied ports.", s => ref s.ClientBytesSeenField),
        new(nameof(PacketsSent), "tcpreplay.copy.sent_packets", "{packet}", CopyCounterKind.Count, "All packets sent to the target: client segments, retransmissions and the copier's own.", s => ref s.PacketsSentField),
        new(nameof(ClientPacketsSent), "tcpreplay.copy.sent_client_packets", "{packet}", CopyCounterKind.Count, "Client segments sent to the target (first transmissions).", s => ref s.ClientPacketsSentField),
        new(nameof(BytesSent), "tcpreplay.copy.sent_bytes", "By", CopyCounterKind.Count, "TCP payload bytes sent to the target.", s => ref s.BytesSentField),
        new(nameof(ConnectionsOpened), "tcpreplay.copy.opened_connections", "{connection}", CopyCounterKind.Count, "Copied connections opened to the target.", s => ref s.ConnectionsOpenedField),
        new(nameof(ConnectionsWithoutSyn), "tcpreplay.copy.connections_without_syn", "{connection}", CopyCounterKind.Count, "Connections copied without their SYN (open before the copy, or re-opened after a capture gap).", s => ref s.ConnectionsWithoutSynField),
        new(nameof(ResponsesReceived), "tcpreplay.copy.target_packets", "{packet}", CopyCounterKind.Count, "Target packets reported back by the intercepts.", s => ref s.ResponsesReceivedField),
        new(nameof(ResponseBytes), "tcpreplay.copy.target_bytes", "By", CopyCounterKind.Count, "TCP payload bytes of the target packets reported back.", s => ref s.ResponseBytesField),
        new(nameof(UnmatchedResponses), "tcpreplay.copy.unmatched_target_packets", "{packet}", CopyCounterKind.Count, "Target packets reported for a fake endpoint with no copied connection (late, or another copier's).", s => ref s.UnmatchedResponsesField),
        new(nameof(Retransmissions), "tcpreplay.copy.retransmissions", "{packet}", CopyCounterKind.Count, "Segments the copier sent again to the target.", s => ref s.RetransmissionsField),
        new(nameof(DuplicatesDropped), "tcpreplay.copy.duplicates_dropped", "{packet}", CopyCounterKind.Count, "Client retransmissions in the capture, not sent twice.", s => ref s.DuplicatesDroppedField),
        new(nameof(CaptureGaps), "tcpreplay.copy.capture_gaps", "{gap}", CopyCounterKind.Count, "Jumps in a client's sequence space: segments the capture missed.", s => ref s.CaptureGapsField),
        new(nameof(CaptureGapBytes), "tcpreplay.copy.capture_gap_bytes", "By", CopyCounterKind.Count, "Client bytes the capture missed.", s => ref s.CaptureGapBytesField),
        new(nameof(ResegmentedPackets), "tcpreplay.copy.resegmented_packets", "{packet}", CopyCounterKind.Count, "Captured packets larger than the MTU (GRO/LRO) cut to size.", s => ref s.ResegmentedPacketsField),
        new(nameof(MalformedPackets), "tcpreplay.copy.malformed_packets", "{packet}", CopyCounterKind.Count, "Captured packets that were not well-formed IPv4/TCP.", s => ref s.MalformedPacketsField),
        new(nameof(IgnoredPackets), "tcpreplay.copy.ignored_packets", "{packet}", CopyCounterKind.Count, "Captured packets that belong to no transfer (other ports, IPv6, non-TCP).", s => ref s.IgnoredPacketsField),
        new(nameof(Evictions), "tcpreplay.copy.evictions", "{connection}", CopyCounterKind.Count, "Idle connections evicted because the connection table was full.", s => ref s.EvictionsField),
        new(nameof(RecordsDropped), "tcpreplay.copy.records_dropped", "{record}", CopyCounterKind.Count, "Closed connection records dropped to keep the record list bounded.", s => ref s.RecordsDroppedField),
        new(nameof(ResponseWaitTimeouts), "tcpreplay.copy.response_wait_timeouts", "{timeout}", CopyCounterKind.Count, "WaitResponse pacing: requests sent without the previous answer, after the wait timed out.", s => ref s.ResponseWaitTimeoutsField),
        new(nameof(CloseHeldTime), "tcpreplay.copy.close_held_time", "s", CopyCounterKind.Ticks, "Total time closes were held for the target to finish answering.", s => ref s.CloseHeldTicksField),
        new(nameof(CloseHeldMax), null, "s", CopyCounterKind.MaxTicks, "The longest single close hold: from the client's FIN captured to the FIN sent to the target.", s => ref s.CloseHeldMaxTicksField),
        new(nameof(ClosesHeld), "tcpreplay.copy.closes_held", "{connection}", CopyCounterKind.Count, "Connections whose close was held for the target to finish answering.", s => ref s.ClosesHeldField),
        new(nameof(AnswerHolds), "tcpreplay.copy.answer_holds", "{segment}", CopyCounterKind.Count, "Causal pacing: client segments held until the target had answered what came before them.", s => ref s.AnswerHoldsField),
        new(nameof(AnswerHeldTime), "tcpreplay.copy.answer_held_time", "s", CopyCounterKind.Ticks, "Total time client segments were held for the target's answers.", s => ref s.AnswerHeldTicksField),
        new(nameof(AnswerHeldMax), null, "s", CopyCounterKind.MaxTicks, "The longest single hold of a client segment for the target's answer.", s => ref s.AnswerHeldMaxTicksField),
        new(nameof(AnswerWaitTimeouts), "tcpreplay.copy.answer_wait_timeouts", "{timeout}", CopyCounterKind.Count, "Causal pacing: held segments sent without the target's answer, after the response wait timed out.", s => ref s.AnswerWaitTimeoutsField),
        new(nameof(SendErrors), null, "{error}", CopyCounterKind.Count, "Sends to the target that failed (by errno: SendErrorsByErrno, and the send_errors metric).", s => ref s.SendErrorsTotalField),
        new(nameof(OnlinePacketsSeen), null, "{packet}", CopyCounterKind.Count, "Online server → client packets captured on the online host (the online answer capture).", s => ref s.OnlinePacketsSeenField),
        new(nameof(OnlinePacketsUnmatched), null, "{packet}", CopyCounterKind.Count, "Online answer packets for a client connection the copy does not follow.", s => ref s.OnlinePacketsUnmatchedField),
        new(nameof(ExchangesCompared), null, "{request}", CopyCounterKind.Count, "Requests with both an online and a target response time.", s => ref s.ExchangesComparedField),
        new(nameof(StatusCodesCompared), null, "{request}", CopyCounterKind.Count, "Requests whose online and target answers both carried an HTTP/1.x status code.", s => ref s.StatusCodesComparedField),
        new(nameof(StatusMismatches), null, "{request}", CopyCounterKind.Count, "Requests whose online and target status codes differed.", s => ref s.StatusMismatchesField),
        new(nameof(SizesCompared), null, "{request}", CopyCounterKind.Count, "Requests whose online answer size was known (and that were sent to the target).", s => ref s.SizesComparedField),
        new(nameof(SizeMismatches), null, "{request}", CopyCounterKind.Count, "Requests whose online and target answers differed in payload bytes.", s => ref s.SizeMismatchesField),
        new(nameof(TargetSilentConnections), null, "{connection}", CopyCounterKind.Count, "Connections that sent the target at least one request and got not one payload byte back.", s => ref s.TargetSilentConnectionsField),
        new(nameof(BacklogWaits), "tcpreplay.copy.backlog_waits", "{packet}", CopyCounterKind.Count, "Packets whose capture or replay thread waited because the engine had fallen behind (the kernel's buffer held the backlog).", s => ref s.BacklogWaitsField),
        new(nameof(BacklogWaitTime), "tcpreplay.copy.backlog_wait_time", "s", CopyCounterKind.Ticks, "Total time capture or replay threads waited for the engine to catch up.", s => ref s.BacklogWaitTicksField),
        new(nameof(EngineQueueDrops), "tcpreplay.copy.engine_queue_drops", "{packet}", CopyCounterKind.Count, "Packets refused because the engine's queue stayed full for a second or the copy was stopping.", s => ref s.EngineQueueDropsField),
    ];
}
