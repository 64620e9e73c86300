namespace TcpReplay.Engine.Hosting;

/// <summary>
/// Pushes the copier's status to the session at a fixed interval from a thread of its own. Not a thread-pool timer: a
/// pool worker spins with sched_yield after each callback, which on a busy host cost hundreds of context switches a
/// second for four pushes (docs/benchmarks.md).
/// </summary>
internal sealed class StatusPusher : IDisposable
{
    private readonly ManualResetEvent _stop = new(false);
    private readonly Thread _thread;
    private int _disposed;

    public StatusPusher(Action push, TimeSpan interval)
    {
        _thread = new Thread(() =>
        {
            while (!_stop.WaitOne(interval))
            {
                push();
            }
        })
        { IsBackground = true, Name = "TcpReplay status" };
        _thread.Start();
    }

    /// <summary>Stops the pushes and returns once the last one has ended, so that no status follows what the caller writes next.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }
}
