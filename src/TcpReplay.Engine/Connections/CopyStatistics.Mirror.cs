namespace TcpReplay.Engine.Connections;

/// <summary>The counters as one list, so a copy running in another process can be mirrored here (Hosting).</summary>
public sealed partial class CopyStatistics
{
    internal delegate void CounterVisitor(ref long counter);

    /// <summary>
    /// Visits every counter in one fixed order, close reasons and handshake causes included: the copier process writes
    /// them in this order and its session's mirror reads them back in it. The order is <see cref="Counters"/>', so a
    /// counter added to that table travels too.
    /// </summary>
    internal void VisitCounters(CounterVisitor visit)
    {
        foreach (var counter in Counters)
        {
            visit(ref counter.Field(this));
        }

        for (var i = 0; i < _closed.Length; i++)
        {
            visit(ref _closed[i]);
        }

        for (var i = 0; i < _handshakeFailures.Length; i++)
        {
            visit(ref _handshakeFailures[i]);
        }
    }

    /// <summary>The mirror's send errors by errno become the copier process's.</summary>
    internal void ReplaceSendErrors(IReadOnlyDictionary<int, long> errors)
    {
        lock (_sendErrorsLock)
        {
            _sendErrors.Clear();
            foreach (var (errno, count) in errors)
            {
                _sendErrors[errno] = count;
            }
        }
    }
}
