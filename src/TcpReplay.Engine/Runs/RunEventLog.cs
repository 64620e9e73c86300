using System.Collections.Concurrent;
using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Runs;

/// <summary>
/// The events of one run, oldest first, bounded to the newest <see cref="Kept"/>: the one log a live copy, a replay and
/// a copier process's mirror all keep.
/// </summary>
public sealed class RunEventLog
{
    /// <summary>The newest events kept; an older one is forgotten when a new one comes.</summary>
    public const int Kept = 200;

    private readonly ConcurrentQueue<RunEvent> _events = new();

    /// <summary>Each event as it is added (on the thread that added it).</summary>
    public event Action<RunEvent>? Added;

    public IReadOnlyList<RunEvent> Snapshot() => [.. _events];

    /// <summary>Adds an event that happens now.</summary>
    public RunEvent Add(RunEventKind kind, string message)
    {
        var added = new RunEvent(DateTime.UtcNow, kind, message);
        Add(added);
        return added;
    }

    /// <summary>Adds a copier → intercept link's change of state, with its last error.</summary>
    public void AddLinkChange(InterceptLinkStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        Add(RunEventKind.Intercept, $"Intercept {status.Server} link {status.Link}: {status.State}" + (status.LastError is null ? "" : $" ({status.LastError})"));
    }

    /// <summary>Adds an event that happened elsewhere (a copier process's, mirrored here).</summary>
    public void Add(RunEvent added)
    {
        ArgumentNullException.ThrowIfNull(added);
        _events.Enqueue(added);
        while (_events.Count > Kept && _events.TryDequeue(out _))
        {
        }

        Added?.Invoke(added);
    }
}
