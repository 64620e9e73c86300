using System.Management.Automation;
using TcpReplay.Engine.Offline;

namespace TcpReplay.PowerShell.Sessions;

/// <summary>The offline replay side of a session: the files, the pace, the progress, the damaged files.</summary>
public sealed partial class TcpCopySession
{
    private readonly OfflineReplay? _replay;
    private int _completed;

    internal TcpCopySession(OfflineReplay replay, string command, string? name, OfflineReplayOptions options, IReadOnlyList<string> warnings)
        : base(command, name)
    {
        _replay = replay;
        PSJobTypeName = "TcpCopy";
        Transfers = [.. options.Copy.Transfers.Select(t => t.ToString())];
        InterceptServers = [.. options.InterceptServers.Select(s => s.ToString())];
        FakeClientNetworks = [.. options.Copy.FakeClientNetworks.Select(n => n.ToString())];
        Pacing = options.Copy.Pacing;
        SendMode = options.SendMode;
        Interface = options.Interface;
        StartTime = DateTime.UtcNow;
        Warnings = warnings;
        Path = [.. options.Files];
        Speed = options.Speed;
        Loop = options.Loop;
        Filter = options.Filter;
        From = options.From;
        To = options.To;
        replay.Completed += OnReplayCompleted;
    }

    /// <summary>The capture files an offline replay plays, in order; null for a live copy.</summary>
    public string[]? Path { get; }

    /// <summary>The offline replay's speed (a factor, or Max); null for a live copy.</summary>
    public ReplaySpeed? Speed { get; }

    /// <summary>How many times the capture is played (each play after the first with fresh client ports).</summary>
    public int? Loop { get; }

    /// <summary>The BPF filter selecting connections by their first client packet.</summary>
    public string? Filter { get; }

    public CaptureTimeBound? From { get; }

    public CaptureTimeBound? To { get; }

    /// <summary>
    /// An offline replay's progress: capture time played of the total, connections started and ended of the total,
    /// packets, and how late hand-overs were behind the timeline (p50, p99, max); null for a live copy.
    /// </summary>
    public ReplayProgress? ReplayProgress => _replay?.Progress;

    /// <summary>Capture files that were damaged (replayed up to the damage, whose offset is given) or unreadable.</summary>
    public IReadOnlyList<CaptureFileProblem> FileProblems => _replay?.FileProblems ?? [];

    private void OnReplayCompleted()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 1 || JobStateInfo.State != JobState.Running)
        {
            return;
        }

        _endTime = DateTime.UtcNow;
        SetJobState(JobState.Completed);
    }

    /// <summary>An offline replay may end before the session is shown as running: finish the state change then.</summary>
    private void CompleteIfReplayEnded()
    {
        if (_replay?.Phase == ReplayPhase.Completed)
        {
            OnReplayCompleted();
        }
    }
}
