using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Offline;

namespace TcpReplay.Engine.Runs;

/// <summary>
/// A running copy as its session sees it, whatever runs it: a live copy in this process (<see cref="Live.LiveCopy"/>),
/// the same copy in a copier process of its own (<see cref="Hosting.CopierProcess"/>), or an offline replay of capture
/// files (<see cref="OfflineReplay"/>). Every member reads what the run already holds: none waits on a pipe or a lock
/// held by the packet path, so a session can be listed and formatted while its copier is stuck.
/// </summary>
public interface ICopyRun : IDisposable
{
    CopyStatistics Statistics { get; }

    /// <summary>The capture layer in use (Auto decides after its probe); None for a replay.</summary>
    CaptureLayer CaptureLayer { get; }

    /// <summary>Why that layer: what the Auto probe measured, that it was asked for, or that a replay reads files.</summary>
    string? CaptureReason { get; }

    /// <summary>What the capture reads: the layer, interface, ring size and filter; null before it opened, and for a replay.</summary>
    string? CaptureDescription { get; }

    CaptureSourceStatistics? CaptureStatistics { get; }

    IReadOnlyList<InterceptLinkStatus> InterceptLinks { get; }

    bool InterceptConnected { get; }

    long InterceptReconnects { get; }

    /// <summary>Notable events, oldest first.</summary>
    IReadOnlyList<RunEvent> Events => EventLog.Snapshot();

    /// <summary>The log behind <see cref="Events"/>, for whoever passes them on as they come (a copier process).</summary>
    RunEventLog EventLog { get; }

    /// <summary>Response payload bytes the intercepts granted: -1 not asked or no answer yet, 0 declined.</summary>
    int ResponsePayloadGranted { get; }

    /// <summary>What the online answer capture reads, or why it is off; null when not asked for.</summary>
    string? OnlineAnswerCaptureDescription { get; }

    /// <summary>Copied connections not ended yet.</summary>
    int OpenConnections { get; }

    /// <summary>The process that runs the copy engine; null when it is this process.</summary>
    int? EngineProcessId { get; }

    /// <summary>An offline replay's progress; null for a live copy.</summary>
    ReplayProgress? Progress { get; }

    /// <summary>Capture files a replay could not read to their end; empty for a live copy.</summary>
    IReadOnlyList<CaptureFileProblem> FileProblems { get; }

    /// <summary>Raised once when the run ends without a stop: a replay that played its files, a copier process that died.</summary>
    event Action<RunEnd>? Ended;

    IReadOnlyList<CopiedConnection> GetConnections();

    IReadOnlyList<RequestExchange> GetExchanges();

    /// <summary>Stops the run and resets the open copies at the target; returns within 2 s.</summary>
    void Stop();
}
