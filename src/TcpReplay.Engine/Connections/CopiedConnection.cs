using System.Net;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// The record of one copied connection: who the client was, which fake endpoint played it against the target,
/// what went through, and why it ended.
/// </summary>
/// <remarks>
/// The copy engine's thread is the only writer; other threads read figures that may be a packet behind, never torn
/// (64-bit fields on a 64-bit runtime). Times are UTC.
/// </remarks>
public sealed class CopiedConnection
{
    internal CopiedConnection(long id, uint clientAddress, ushort clientPort, uint onlineAddress, ushort onlinePort,
        uint fakeAddress, ushort fakePort, Transfer transfer, DateTime startTime)
    {
        Id = id;
        ClientAddress = Addresses.ToIPAddress(clientAddress);
        ClientPort = clientPort;
        OnlineAddress = Addresses.ToIPAddress(onlineAddress);
        OnlinePort = onlinePort;
        FakeClientAddress = Addresses.ToIPAddress(fakeAddress);
        FakeClientPort = fakePort;
        TargetAddress = transfer.TargetIPAddress;
        TargetPort = transfer.TargetPort;
        StartTime = startTime;
    }

    public long Id { get; }

    public IPAddress ClientAddress { get; }

    public int ClientPort { get; }

    public IPAddress OnlineAddress { get; }

    public int OnlinePort { get; }

    public IPAddress FakeClientAddress { get; }

    public int FakeClientPort { get; }

    public IPAddress TargetAddress { get; }

    public int TargetPort { get; }

    /// <summary>Client endpoint as seen on the online host, <c>address:port</c>.</summary>
    public string Client => $"{ClientAddress}:{ClientPort}";

    /// <summary>Fake client endpoint the target saw, <c>address:port</c>.</summary>
    public string FakeClient => $"{FakeClientAddress}:{FakeClientPort}";

    /// <summary>Target endpoint the copy played against, <c>address:port</c>.</summary>
    public string Target => $"{TargetAddress}:{TargetPort}";

    public DateTime StartTime { get; }

    public DateTime? EndTime { get; internal set; }

    /// <summary>Time from the first client packet to the end, or to now while open.</summary>
    public TimeSpan Duration => (EndTime ?? DateTime.UtcNow) - StartTime;

    /// <summary>The client's SYN was captured; false when the copy began mid-connection (opened with a SYN of the copier's own).</summary>
    public bool SynSeen { get; internal set; }

    /// <summary>Time from the copier's SYN to the target's SYN-ACK.</summary>
    public TimeSpan? HandshakeRtt { get; internal set; }

    /// <summary>Client packets captured for this connection.</summary>
    public long ClientPackets { get; internal set; }

    /// <summary>Client payload bytes captured.</summary>
    public long ClientBytes { get; internal set; }

    /// <summary>Client packets (or pieces of re-segmented ones) sent to the target, first transmissions only.</summary>
    public long SentPackets { get; internal set; }

    /// <summary>Client payload bytes sent to the target, first transmissions only.</summary>
    public long SentBytes { get; internal set; }

    /// <summary>
    /// Client requests played: bursts of client data that follow data from the server, and new data that starts with an
    /// HTTP/1.x request line (pipelined requests).
    /// </summary>
    public long Requests { get; internal set; }

    /// <summary>Requests the target answered (at least one payload byte before the next request was sent).</summary>
    public long Responses { get; internal set; }

    /// <summary>Requests whose online answer was captured on the online host, with its time.</summary>
    public long OnlineResponses { get; internal set; }

    /// <summary>Online server packets with payload captured for this connection (needs the online answer capture).</summary>
    public long OnlinePackets { get; internal set; }

    /// <summary>Online server payload bytes captured for this connection, each sequence byte once.</summary>
    public long OnlineBytes { get; internal set; }

    /// <summary>Mean time from request to the online answer's first byte, both captured on the online host; null when none was seen.</summary>
    public TimeSpan? OnlineResponseTimeAverage { get; internal set; }

    /// <summary>Longest time from request to the online answer's first byte; null when none was seen.</summary>
    public TimeSpan? OnlineResponseTimeMax { get; internal set; }

    /// <summary>
    /// Mean time from sending a request to the target's first answer byte: on the intercept's capture times with the
    /// payload extension (channel delay cancelled), else the copier's wait less this connection's <see cref="HandshakeRtt"/>;
    /// null when the target answered nothing.
    /// </summary>
    public TimeSpan? TargetResponseTimeAverage { get; internal set; }

    /// <summary>Longest target response time, measured as <see cref="TargetResponseTimeAverage"/>; null when none.</summary>
    public TimeSpan? TargetResponseTimeMax { get; internal set; }

    /// <summary>HTTP/1.x status code of the last online answer read; null when none (not HTTP, or no online capture).</summary>
    public int? LastOnlineStatusCode { get; internal set; }

    /// <summary>HTTP/1.x status code of the last target answer read; null when none (not HTTP, or the intercept passes no payload).</summary>
    public int? LastTargetStatusCode { get; internal set; }

    /// <summary>Requests whose online and target answers both had an HTTP status code, and the codes differed.</summary>
    public long StatusMismatches { get; internal set; }

    /// <summary>Requests whose online and target answers differed in payload size (bytes).</summary>
    public long SizeMismatches { get; internal set; }

    /// <summary>At least one request went to the target and not one payload byte came back before the close.</summary>
    public bool TargetAnsweredNothing { get; internal set; }

    /// <summary>Target packets reported by the intercept.</summary>
    public long ResponsePackets { get; internal set; }

    /// <summary>Target payload bytes reported by the intercept.</summary>
    public long ResponseBytes { get; internal set; }

    /// <summary>Segments the copier sent again because the target did not acknowledge them in time.</summary>
    public long Retransmissions { get; internal set; }

    /// <summary>Client retransmissions seen in the capture and not sent again.</summary>
    public long DuplicatesDropped { get; internal set; }

    public CloseReason CloseReason { get; internal set; }

    public HandshakeFailure HandshakeFailure { get; internal set; }

    /// <summary>What happened, in words, and the fix where there is one.</summary>
    public string? CloseDetail { get; internal set; }

    public bool IsOpen => CloseReason == CloseReason.None;

    /// <summary>The connection ended the way connections normally end (Completed, CopierReset, ClientReset).</summary>
    public bool IsNormalClose => CloseReason.IsNormal();

    /// <summary>How long the close was held after the client closed, waiting for the target to finish answering.</summary>
    public TimeSpan CloseHeld { get; internal set; }

    /// <summary>
    /// Causal pacing: client segments held for the target's answers (holds of 1 ms or more): reactions, until the target
    /// had answered what came before them, and a WebSocket Close that is no reaction, until the target was done answering.
    /// </summary>
    public long AnswerHolds { get; internal set; }

    /// <summary>Causal pacing: the total time client segments were held for the target's answers.</summary>
    public TimeSpan AnswerHeld { get; internal set; }

    /// <summary>Causal pacing: held segments that went without the target's answer, after the response wait timeout.</summary>
    public long AnswerWaitTimeouts { get; internal set; }

    public override string ToString() => $"{Client} as {FakeClient} -> {TargetAddress}:{TargetPort} ({CloseReason})";
}
