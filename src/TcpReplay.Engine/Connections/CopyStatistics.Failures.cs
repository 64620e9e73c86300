namespace TcpReplay.Engine.Connections;

/// <summary>
/// Why connections failed, kept as they end: a count per cause with its latest example, so the summary costs the same
/// however many records the copy keeps or has dropped, and a copier process can send it whole with its counters.
/// </summary>
public sealed partial class CopyStatistics
{
    private readonly Dictionary<(CloseReason, HandshakeFailure), FailureReason> _failures = [];
    private readonly Lock _failuresLock = new();

    /// <summary>
    /// Connections that ended abnormally, grouped by close reason and handshake failure, most frequent first, each with a
    /// count, the most recent client and its remedy. Normal ends and Stopped (the user's own stop) are left out.
    /// </summary>
    public IReadOnlyList<FailureReason> FailureReasons
    {
        get
        {
            lock (_failuresLock)
            {
                return FailureReason.Ordered(_failures.Values);
            }
        }
    }

    /// <summary>Counts an ended connection in its cause when its end is a failure (<see cref="CloseReasonKinds.IsFailure"/>).</summary>
    internal void CountFailure(CopiedConnection record)
    {
        if (!record.CloseReason.IsFailure())
        {
            return;
        }

        var cause = (record.CloseReason, record.HandshakeFailure);
        lock (_failuresLock)
        {
            var count = _failures.TryGetValue(cause, out var before) ? before.Count + 1 : 1;
            _failures[cause] = new FailureReason(record.CloseReason, record.HandshakeFailure, count, record.Client, record.CloseDetail);
        }
    }

    /// <summary>The mirror's failure summary becomes the copier process's.</summary>
    internal void ReplaceFailureReasons(IReadOnlyList<FailureReason> reasons)
    {
        lock (_failuresLock)
        {
            _failures.Clear();
            foreach (var reason in reasons)
            {
                _failures[(reason.CloseReason, reason.HandshakeFailure)] = reason;
            }
        }
    }
}
