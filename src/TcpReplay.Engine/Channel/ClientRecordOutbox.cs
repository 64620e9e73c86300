namespace TcpReplay.Engine.Channel;

/// <summary>
/// The CLIENT_ADD records one intercept link has queued for its send thread: a fixed ring of whole records,
/// so announcing a burst of new sessions allocates nothing. When it is full the caller does not wait: the link sends
/// its whole live set again once the queue drains, which holds the record that did not fit. Not thread-safe: the link
/// guards it with its send lock.
/// </summary>
internal sealed class ClientRecordOutbox
{
    private const int RecordSize = ChannelProtocol.ClientRecordSize;

    private readonly byte[] _ring;
    private int _head;
    private int _count;

    /// <param name="capacityBytes">Room for the queue; rounded down to whole records.</param>
    public ClientRecordOutbox(int capacityBytes)
    {
        _ring = new byte[capacityBytes / RecordSize * RecordSize];
    }

    /// <summary>Room in bytes, a whole number of records.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Bytes queued, a whole number of records.</summary>
    public int Count => _count;

    /// <summary>Queues <paramref name="record"/>; false when the ring is full.</summary>
    public bool TryAppend(in ClientRecord record)
    {
        if (_count + RecordSize > _ring.Length)
        {
            return false;
        }

        var tail = (_head + _count) % _ring.Length;
        record.WriteTo(_ring.AsSpan(tail, RecordSize));
        _count += RecordSize;
        return true;
    }

    /// <summary>
    /// Moves the oldest queued records into <paramref name="chunk"/>, as many as fit, in order; returns the bytes moved.
    /// The chunk's length must be a whole number of records.
    /// </summary>
    public int TakeInto(byte[] chunk)
    {
        var count = Math.Min(_count, chunk.Length);
        var first = Math.Min(count, _ring.Length - _head);
        Buffer.BlockCopy(_ring, _head, chunk, 0, first);
        Buffer.BlockCopy(_ring, 0, chunk, first, count - first);
        _head = (_head + count) % _ring.Length;
        _count -= count;
        return count;
    }

    /// <summary>Drops every queued record.</summary>
    public void Clear()
    {
        _head = 0;
        _count = 0;
    }
}
