using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// The engine thread's inbox: a bounded queue of client-side events and a smaller one of the target's answers, with
/// many producers and one consumer, allocating nothing per item.
/// </summary>
/// <remarks>
/// <para>A client-side producer (a capture or replay thread) waits while its queue is full rather than drop: while it
/// waits the backlog stays in the kernel's capture buffer (or in the capture file), and a dropped client packet would
/// cost its connection a reset and a re-open.</para>
/// <para>The target's answers never wait (an intercept link may serve other copiers) and are taken first. They only
/// ever concern packets the engine has already sent, so taking them ahead of the client backlog is safe, and an
/// engine that is seconds behind on client packets still completes its handshakes in time.</para>
/// </remarks>
internal sealed class EngineQueue
{
    private readonly Ring _client;
    private readonly Ring _answers;
    private readonly object _lock = new();
    private bool _consumerWaiting;
    private int _producersWaiting;
    private long _releaseGeneration;

    // Set when the consumer waits in poll(2) (PolledEngineWait) instead of on the lock: producers wake it through this
    // eventfd, once per wait.
    private int _wakeFd = -1;
    private bool _wakeSignalled;

    public EngineQueue(int clientCapacity, int answerCapacity)
    {
        _client = new Ring(clientCapacity);
        _answers = new Ring(answerCapacity);
    }

    /// <summary>Has producers wake the consumer through an eventfd it polls (<see cref="BeginPolledWait"/>); -1 goes back to the lock.</summary>
    public void WakeThrough(int eventFd)
    {
        lock (_lock)
        {
            _wakeFd = eventFd;
            _wakeSignalled = false;
        }
    }

    /// <summary>
    /// The consumer is about to poll: true when both queues are empty, and producers then wake it through the eventfd
    /// until <see cref="EndPolledWait"/>. A room flag is false when that queue is over half full: the consumer then leaves
    /// the next input of that kind in its socket until it has taken what is queued.
    /// </summary>
    public bool BeginPolledWait(out bool clientRoom, out bool answerRoom)
    {
        lock (_lock)
        {
            clientRoom = _client.Count <= _client.Capacity / 2;
            answerRoom = _answers.Count <= _answers.Capacity / 2;
            _consumerWaiting = _client.Count == 0 && _answers.Count == 0;
            return _consumerWaiting;
        }
    }

    /// <summary>The consumer's poll has returned.</summary>
    public void EndPolledWait()
    {
        lock (_lock)
        {
            _consumerWaiting = false;
            _wakeSignalled = false;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _client.Count + _answers.Count;
            }
        }
    }

    /// <summary>
    /// Adds a client-side event, waiting up to <paramref name="waitMilliseconds"/> for the consumer to make room.
    /// </summary>
    /// <param name="item">The event.</param>
    /// <param name="waitMilliseconds">How long to wait for room; 0 refuses at once when full.</param>
    /// <param name="wakeConsumer">False leaves a waiting consumer asleep: a producer with more events at hand wakes it
    /// once for them all (<see cref="WakeConsumer"/>), not once per event.</param>
    /// <returns>False when there was still no room, or when <see cref="ReleaseProducers"/> ended the wait.</returns>
    public bool TryEnqueueClient(in EngineEvent item, int waitMilliseconds, bool wakeConsumer = true)
    {
        lock (_lock)
        {
            if (_client.IsFull && waitMilliseconds > 0)
            {
                WaitForRoom(waitMilliseconds);
            }

            return _client.IsFull ? false : Add(_client, item, wakeConsumer);
        }
    }

    /// <summary>Wakes the consumer if it waits for events (after adds that did not wake it).</summary>
    public void WakeConsumer()
    {
        lock (_lock)
        {
            if (_consumerWaiting)
            {
                WakeWaitingConsumer();
            }
        }
    }

    /// <summary>Adds one of the target's answers unless its queue is full; never waits.</summary>
    public bool TryEnqueueAnswer(in EngineEvent item)
    {
        lock (_lock)
        {
            return _answers.IsFull ? false : Add(_answers, item, wakeConsumer: true);
        }
    }

    /// <summary>
    /// Moves up to <paramref name="batch"/>.Length events out, the target's answers first; waits up to
    /// <paramref name="timeout"/> when both queues are empty.
    /// </summary>
    public int DequeueBatch(Span<EngineEvent> batch, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (_client.Count == 0 && _answers.Count == 0 && timeout > TimeSpan.Zero)
            {
                _consumerWaiting = true;
                Monitor.Wait(_lock, timeout);
                _consumerWaiting = false;
            }

            var taken = _answers.TakeInto(batch);
            var clientTaken = _client.TakeInto(batch[taken..]);
            if (clientTaken > 0 && _producersWaiting > 0)
            {
                Monitor.PulseAll(_lock);
            }

            return taken + clientTaken;
        }
    }

    /// <summary>Wakes a waiting consumer (to stop it, or after a timer change).</summary>
    public void Wake()
    {
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
            SignalWakeFd();
        }
    }

    /// <summary>Ends every producer's current wait for room (its event is refused), so a stopping engine holds no thread.</summary>
    public void ReleaseProducers()
    {
        lock (_lock)
        {
            _releaseGeneration++;
            Monitor.PulseAll(_lock);
            SignalWakeFd();
        }
    }

    private void WaitForRoom(int waitMilliseconds)
    {
        _producersWaiting++;
        var releaseGeneration = _releaseGeneration;
        var deadline = Environment.TickCount64 + waitMilliseconds;
        try
        {
            long left;
            while (_client.IsFull && releaseGeneration == _releaseGeneration && (left = deadline - Environment.TickCount64) > 0)
            {
                Monitor.Wait(_lock, (int)left);
            }
        }
        finally
        {
            _producersWaiting--;
        }
    }

    private bool Add(Ring ring, in EngineEvent item, bool wakeConsumer)
    {
        ring.Add(item);
        if (wakeConsumer && _consumerWaiting)
        {
            WakeWaitingConsumer();
        }

        return true;
    }

    private void WakeWaitingConsumer()
    {
        if (_wakeFd < 0)
        {
            // Producers wait only on a full queue and the consumer only on empty ones, so this wakes the consumer.
            Monitor.Pulse(_lock);
        }
        else if (!_wakeSignalled)
        {
            _wakeSignalled = true;
            LinuxNative.SignalEventFd(_wakeFd);
        }
    }

    private void SignalWakeFd()
    {
        if (_wakeFd >= 0)
        {
            LinuxNative.SignalEventFd(_wakeFd);
        }
    }

    private sealed class Ring(int capacity)
    {
        private readonly EngineEvent[] _items = new EngineEvent[Math.Max(1, capacity)];
        private int _head;

        public int Count { get; private set; }

        public bool IsFull => Count == _items.Length;

        public int Capacity => _items.Length;

        public void Add(in EngineEvent item)
        {
            _items[(_head + Count) % _items.Length] = item;
            Count++;
        }

        public int TakeInto(Span<EngineEvent> batch)
        {
            var taken = Math.Min(Count, batch.Length);
            for (var i = 0; i < taken; i++)
            {
                batch[i] = _items[_head];
                _items[_head] = default;
                _head = (_head + 1) % _items.Length;
            }

            Count -= taken;
            return taken;
        }
    }
}
