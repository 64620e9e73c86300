using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// One connection in a report: a flat record (text endpoints, UTC times, whole-number counts) that a CSV row or a
/// table line holds without nesting. Made from a live <see cref="CopiedConnection"/>, or from a deserialized or
/// imported one field by field.
/// </summary>
public sealed class ReportConnection
{
    /// <summary>The name of the run (session) the connection belongs to, if known.</summary>
    public string? Run { get; init; }

    public long Id { get; init; }

    /// <summary>Client endpoint seen on the online host, <c>address:port</c>.</summary>
    public string Client { get; init; } = "";

    /// <summary>Fake client endpoint the target saw, <c>address:port</c>.</summary>
    public string FakeClient { get; init; } = "";

    /// <summary>Target endpoint, <c>address:port</c>.</summary>
    public string Target { get; init; } = "";

    /// <summary>UTC.</summary>
    public DateTime StartTime { get; init; }

    /// <summary>UTC; null while the connection was open.</summary>
    public DateTime? EndTime { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Copier's SYN to the target's SYN-ACK; null when there was none.</summary>
    public TimeSpan? HandshakeRtt { get; init; }

    public long ClientPackets { get; init; }

    /// <summary>Client payload bytes captured.</summary>
    public long ClientBytes { get; init; }

    public long SentPackets { get; init; }

    /// <summary>Client payload bytes sent to the target.</summary>
    public long SentBytes { get; init; }

    public long Requests { get; init; }

    public long ResponsePackets { get; init; }

    /// <summary>Target payload bytes.</summary>
    public long ResponseBytes { get; init; }

    public long Retransmissions { get; init; }

    /// <summary>A <see cref="Connections.CloseReason"/> name; "None" while open.</summary>
    public string CloseReason { get; init; } = nameof(Connections.CloseReason.None);

    /// <summary>A <see cref="Connections.HandshakeFailure"/> name; "None" unless the handshake failed.</summary>
    public string HandshakeFailure { get; init; } = nameof(Connections.HandshakeFailure.None);

    public string? CloseDetail { get; init; }

    public bool IsOpen => CloseReason == nameof(Connections.CloseReason.None);

    /// <summary>Completed, CopierReset or ClientReset; Stopped (the user's stop) counts as neither normal nor failed.</summary>
    public bool IsNormalClose => Enum.TryParse<Connections.CloseReason>(CloseReason, out var reason) && reason.IsNormal();

    /// <summary>Ended abnormally: not open, not normal, not stopped by the user (a name this version does not know counts as failed).</summary>
    public bool IsFailed => Enum.TryParse<Connections.CloseReason>(CloseReason, out var reason) ? reason.IsFailure() : !IsOpen;

    /// <summary>
    /// Further figures of the record that this type has no field for (for example online-vs-target latencies and
    /// status codes), by name, as invariant text; CSV gives each its own column.
    /// </summary>
    public IDictionary<string, string> Extra { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The record of a copied connection as it is now (an open one's duration runs to <paramref name="nowUtc"/>).</summary>
    public static ReportConnection From(CopiedConnection connection, string? run, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new ReportConnection
        {
            Run = run,
            Id = connection.Id,
            Client = connection.Client,
            FakeClient = connection.FakeClient,
            Target = $"{connection.TargetAddress}:{connection.TargetPort}",
            StartTime = connection.StartTime,
            EndTime = connection.EndTime,
            Duration = (connection.EndTime ?? nowUtc) - connection.StartTime,
            HandshakeRtt = connection.HandshakeRtt,
            ClientPackets = connection.ClientPackets,
            ClientBytes = connection.ClientBytes,
            SentPackets = connection.SentPackets,
            SentBytes = connection.SentBytes,
            Requests = connection.Requests,
            ResponsePackets = connection.ResponsePackets,
            ResponseBytes = connection.ResponseBytes,
            Retransmissions = connection.Retransmissions,
            CloseReason = connection.CloseReason.ToString(),
            HandshakeFailure = connection.HandshakeFailure.ToString(),
            CloseDetail = connection.CloseDetail,
        };
    }
}
