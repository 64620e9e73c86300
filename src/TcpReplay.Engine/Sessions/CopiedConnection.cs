using System.Net;

namespace TcpReplay.Engine.Sessions;

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

    /// <summary>Client requests played: bursts of client data that follow data from the server.</summary>
    public long Requests { get; internal set; }

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
    public bool IsNormalClose => CloseReason is CloseReason.Completed or CloseReason.CopierReset or CloseReason.ClientReset;

    /// <summary>How long the close was held after the client closed, waiting for the target to finish answering.</summary>
    public TimeSpan CloseHeld { get; internal set; }

    public override string ToString() => $"{Client} as {FakeClient} -> {TargetAddress}:{TargetPort} ({CloseReason})";
}
