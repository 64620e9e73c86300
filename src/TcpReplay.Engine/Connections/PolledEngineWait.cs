using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// The engine thread's wait when it reads its inputs itself (<see cref="IPolledInput"/>: the client capture, the
/// intercept links): one poll(2) on an eventfd the queue's producers signal and on the inputs' descriptors, then a read
/// of what is ready, whose events join the queue without waking anyone. With nothing queued it sleeps until the next
/// timer; otherwise it only looks.
/// </summary>
/// <remarks>
/// While the client capture is busy the engine does not wake for each arrival: it sleeps one batch window (or less,
/// for a timer or a producer) and then reads every input, as a capture thread sleeps for its window. One wake-up then
/// serves a window's client packets and answers together. An input whose queue is over half full is left unread,
/// so a read never waits for room in the queue of the thread that is reading.
/// </remarks>
internal sealed class PolledEngineWait : IDisposable
{
    private readonly IPolledInput? _client;
    private readonly IPolledInput? _answers;
    private readonly EngineQueue _queue;
    private readonly TimeSpan _batchWindow;
    private readonly LinuxNative.PollFd[] _fds;
    private int _eventFd;
    private bool _clientBusy;

    /// <param name="client">The client capture, or null when a capture thread of its own posts the packets.</param>
    /// <param name="answers">The intercept links, or null.</param>
    /// <param name="queue">The engine's queue, whose producers wake this wait.</param>
    /// <param name="batchWindow">How long a busy client capture lets packets gather between reads.</param>
    /// <exception cref="InvalidOperationException">No eventfd could be made (the process is out of descriptors).</exception>
    public PolledEngineWait(IPolledInput? client, IPolledInput? answers, EngineQueue queue, TimeSpan batchWindow)
    {
        _client = client;
        _answers = answers;
        _queue = queue;
        _batchWindow = batchWindow;
        _eventFd = LinuxNative.OpenEventFd(out var error);
        if (_eventFd < 0)
        {
            throw new InvalidOperationException($"The copy engine cannot make its wake-up eventfd (errno {error}).");
        }

        _fds = new LinuxNative.PollFd[1 + (client?.MaxDescriptors ?? 0) + (answers?.MaxDescriptors ?? 0)];
        queue.WakeThrough(_eventFd);
        client?.AttachWaker(queue.Wake);
        answers?.AttachWaker(queue.Wake);
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for an event or input (not at all when events are queued; at most a batch
    /// window while the client capture is busy), then reads the inputs.
    /// </summary>
    public void WaitAndRead(TimeSpan wait)
    {
        _fds[0] = new LinuxNative.PollFd { Fd = _eventFd, Events = LinuxNative.PollIn };
        var clientCount = 0;
        var answerCount = 0;
        var ready = 0;
        var tick = _clientBusy;
        try
        {
            try
            {
                var empty = _queue.BeginPolledWait(out var clientRoom, out var answerRoom);
                if (_client is not null && clientRoom)
                {
                    clientCount = _client.AcquireDescriptors(_fds.AsSpan(1));
                }

                if (_answers is not null && answerRoom)
                {
                    answerCount = _answers.AcquireDescriptors(_fds.AsSpan(1 + clientCount));
                }

                var timeout = !empty ? TimeSpan.Zero : tick && _batchWindow < wait ? _batchWindow : wait;
                ready = LinuxNative.Poll(_fds.AsSpan(0, tick ? 1 : 1 + clientCount + answerCount), (int)Math.Ceiling(timeout.TotalMilliseconds));
            }
            finally
            {
                _queue.EndPolledWait();
            }

            if (ready > 0 && _fds[0].Revents != 0)
            {
                LinuxNative.ClearEventFd(_eventFd);
            }

            if (tick)
            {
                // Not polled: read whatever the window brought.
                for (var i = 1; i <= clientCount + answerCount; i++)
                {
                    _fds[i].Revents = LinuxNative.PollIn;
                }
            }

            if (clientCount > 0)
            {
                _clientBusy = _client!.ReadReady(_fds.AsSpan(1, clientCount));
            }

            if (answerCount > 0)
            {
                _answers!.ReadReady(_fds.AsSpan(1 + clientCount, answerCount));
            }
        }
        finally
        {
            if (clientCount > 0)
            {
                _client!.ReleaseDescriptors();
            }

            if (answerCount > 0)
            {
                _answers!.ReleaseDescriptors();
            }
        }
    }

    /// <summary>Closes the eventfd; only once the engine thread has ended.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _eventFd, -1);
        if (fd >= 0)
        {
            // Producers may still call Wake; none may write into a number the process reuses.
            _queue.WakeThrough(-1);
            LinuxNative.CloseDescriptor(fd);
        }
    }
}
