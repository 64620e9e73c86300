using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// The raw socket read by the copy engine's thread (<see cref="ReadOnPollingThread"/>) instead of a capture thread:
/// the engine polls it with the intercept links, and the captured packets join its queue without a hand-over. Under
/// load the engine reads it on a tick of the batch window, as the capture thread would sleep for it.
/// </summary>
public sealed partial class RawSocketCapture : IPolledInput
{
    // Packets one read of the engine's may take: its queue keeps room for at least this many (EngineQueue.BeginPolledWait).
    private const int PolledReadBudget = 256;

    private bool _polled;
    private bool _held;
    private BusyWindow _polledBusy;
    private long _polledNextDropRead;

    /// <summary>
    /// Has the copy engine's thread read the socket (<see cref="Connections.CopyEngine"/>'s poll) instead of a capture
    /// thread; <see cref="Start"/> then starts no thread. Called before <see cref="Start"/>.
    /// </summary>
    internal IPolledInput ReadOnPollingThread()
    {
        if (_sink is not null)
        {
            throw new InvalidOperationException("The capture reads on its own thread once it has started.");
        }

        _polled = true;
        _polledBusy = new BusyWindow(_options.BatchWindow);
        return this;
    }

    int IPolledInput.MaxDescriptors => 1;

    void IPolledInput.AttachWaker(Action wake)
    {
        // The socket is the only descriptor and never changes.
    }

    int IPolledInput.AcquireDescriptors(Span<LinuxNative.PollFd> fds)
    {
        if (_sink is null || _worker.StopRequested || fds.IsEmpty)
        {
            return 0;
        }

        _held = PolledSocket.TryHold(_socket, out _);
        if (!_held)
        {
            return 0;
        }

        fds[0] = new LinuxNative.PollFd { Fd = _fd, Events = LinuxNative.PollIn };
        return 1;
    }

    bool IPolledInput.ReadReady(ReadOnlySpan<LinuxNative.PollFd> fds)
    {
        if (!_held || fds.IsEmpty)
        {
            return false;
        }

        if (Environment.TickCount64 >= _polledNextDropRead)
        {
            ReadKernelDrops();
            _polledNextDropRead = Environment.TickCount64 + 1000;
        }

        var drained = 0;
        if (fds[0].Revents != 0)
        {
            drained = Drain(_sink!, PolledReadBudget, out var error);
            if (error != 0)
            {
                _worker.Fail($"Reading the raw socket failed (errno {error}).");
                return false;
            }
        }

        return _polledBusy.Add(drained);
    }

    void IPolledInput.ReleaseDescriptors()
    {
        if (_held)
        {
            _held = false;
            PolledSocket.Release(_socket);
        }
    }
}
