namespace StreamingService;

/// <summary>
/// How one WebSocket session ended, as one line of the session log. <see cref="Outcome"/> is "final" (the final result
/// was sent), "early-close" (the client sent a Close frame before its "end" message) or "abort" (the connection ended
/// without a close handshake, or failed, before the final result was sent).
/// </summary>
internal sealed record SessionOutcome
{
    public required string Session { get; init; }

    public required string Outcome { get; init; }

    public required bool Final { get; init; }

    public string? Reason { get; init; }

    public required string Remote { get; init; }

    public required int RemotePort { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public required double DurationMs { get; init; }

    /// <summary>Binary frames received (whole messages).</summary>
    public required long Frames { get; init; }

    public required long Bytes { get; init; }

    public required int Partials { get; init; }

    public required bool EndReceived { get; init; }

    /// <summary>From the client's "end" message to the final result, in milliseconds.</summary>
    public double? EndToFinalMs { get; init; }

    /// <summary>The client's Close frame came after its "end" but before the final result (the final is still sent).</summary>
    public required bool CloseBeforeFinal { get; init; }

    /// <summary>The final delay drawn for this session, in milliseconds (null when "end" never came).</summary>
    public double? FinalDelayMs { get; init; }

    /// <summary>When the client's Close frame came, in milliseconds from the session's start (null when none came).</summary>
    public double? CloseFrameAtMs { get; init; }

    /// <summary>Both Close frames were exchanged.</summary>
    public required bool CloseHandshake { get; init; }
}
