using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Offline;

namespace TcpReplay.PowerShell.Sessions;

/// <summary>
/// What a session shows of how its run was asked for: the same fields for a live copy and a replay, the ones that do
/// not apply left null (a replay's files for a live copy) or at their default.
/// </summary>
internal sealed record SessionSettings
{
    public required string[] Transfers { get; init; }

    public required string[] InterceptServers { get; init; }

    public required string[] FakeClientNetworks { get; init; }

    public required PacingMode Pacing { get; init; }

    public CaptureMode CaptureMode { get; init; }

    public required SendMode SendMode { get; init; }

    public required string Interface { get; init; }

    public bool CompareResponses { get; init; }

    public int ResponsePayload { get; init; }

    public string[]? Path { get; init; }

    public ReplaySpeed? Speed { get; init; }

    public int? Loop { get; init; }

    public string? Filter { get; init; }

    public CaptureTimeBound? From { get; init; }

    public CaptureTimeBound? To { get; init; }

    public static SessionSettings Of(LiveCopyOptions options) => new()
    {
        Transfers = [.. options.Copy.Transfers.Select(t => t.ToString())],
        InterceptServers = [.. options.InterceptServers.Select(s => s.ToString())],
        FakeClientNetworks = [.. options.Copy.FakeClientNetworks.Select(n => n.ToString())],
        Pacing = options.Copy.Pacing,
        CaptureMode = options.CaptureMode,
        SendMode = options.SendMode,
        Interface = options.Interface,
        CompareResponses = options.CompareResponses,
        ResponsePayload = options.Channel.ResponsePayloadBytes,
    };

    public static SessionSettings Of(OfflineReplayOptions options) => new()
    {
        Transfers = [.. options.Copy.Transfers.Select(t => t.ToString())],
        InterceptServers = [.. options.InterceptServers.Select(s => s.ToString())],
        FakeClientNetworks = [.. options.Copy.FakeClientNetworks.Select(n => n.ToString())],
        Pacing = options.Copy.Pacing,
        SendMode = options.SendMode,
        Interface = options.Interface,
        Path = [.. options.Files],
        Speed = options.Speed,
        Loop = options.Loop,
        Filter = options.Filter,
        From = options.From,
        To = options.To,
    };
}
