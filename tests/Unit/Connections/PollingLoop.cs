using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// Reads <see cref="IPolledInput"/>s (a client capture, intercept links) the way the copy engine's thread does (<see cref="PolledEngineWait"/> over an
/// <see cref="EngineQueue"/>), without an engine: a thread that waits and reads until disposed.
/// </summary>
internal sealed class PollingLoop : IDisposable
{
    private readonly EngineQueue _queue = new(16, 4096);
    private readonly PolledEngineWait _wait;
    private readonly Thread _thread;
    private volatile bool _stop;

    public PollingLoop(IPolledInput? client, IPolledInput? answers)
    {
        _wait = new PolledEngineWait(client, answers, _queue, TimeSpan.FromMilliseconds(1));
        _thread = new Thread(Run) { IsBackground = true, Name = "test polling loop" };
        _thread.Start();
    }

    /// <summary>The loop thread's managed id, so that a test can tell which thread delivered.</summary>
    public int ThreadId => _thread.ManagedThreadId;

    public void Dispose()
    {
        _stop = true;
        _queue.Wake();
        Assert.True(_thread.Join(TimeSpan.FromSeconds(2)), "the polling loop should end at once");
        _wait.Dispose();
    }

    private void Run()
    {
        while (!_stop)
        {
            _wait.WaitAndRead(TimeSpan.FromMilliseconds(50));
        }
    }
}
