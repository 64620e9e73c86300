namespace TcpReplay.Engine.Sessions;

/// <summary>
/// A bounded many-producer, one-consumer queue of engine events that allocates nothing per item. Producers are
/// capture and channel threads; when the queue is full the event is refused (the producer counts the drop),
/// because blocking a capture thread would lose more packets in the kernel than the drop does.
/// </summary>
internal sealed class EngineQueue
{
    private readonly EngineEvent[] _items;
    private readonly object _lock = new();
    private int _head;
    private int _count;
    private bool _waiting;

    public EngineQueue(int capacity) => _items = new EngineEvent[capacity];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public bool TryEnqueue(in EngineEvent item)
    {
        lock (_lock)
        {
            if (_count == _items.Length)
            {
                return false;
            }

            _items[(_head + _count) % _items.Length] = item;
            _count++;
            if (_waiting)
            {
                Monitor.Pulse(_lock);
            }

            return true;
        }
    }

    /// <summary>Moves up to <paramref name="batch"/>.Length events out; waits up to <paramref name="timeout"/> when empty.</summary>
    public int DequeueBatch(Span<EngineEvent> batch, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (_count == 0 && timeout > TimeSpan.Zero)
            {
                _waiting = true;
                Monitor.Wait(_lock, timeout);
                _waiting = false;
            }

            var taken = Math.Min(_count, batch.Length);
            for (var i = 0; i < taken; i++)
            {
                batch[i] = _items[_head];
                _items[_head] = default;
                _head = (_head + 1) % _items.Length;
            }

            _count -= taken;
            return taken;
        }
    }

    /// <summary>Wakes a waiting consumer (to stop it, or after a timer change).</summary>
    public void Wake()
    {
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }
    }
}
