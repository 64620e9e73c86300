namespace TcpReplay.Engine.Buffers;

/// <summary>
/// A reusable byte buffer that holds one captured or generated packet.
/// </summary>
/// <remarks>
/// Ownership is explicit: whoever calls <see cref="PacketBufferPool.Rent"/> owns the buffer until it hands it on
/// (the new holder then owns it) or calls <see cref="PacketBufferPool.Return"/> exactly once. After the return the
/// buffer must not be touched: the pool gives it to the next renter.
/// </remarks>
public sealed class PacketBuffer
{
    // 0 = in the pool, 1 = rented. Changed only with Interlocked so a double return is caught even across threads.
    private int _rented;

    internal PacketBuffer(PacketBufferPool owner, int capacity)
    {
        Owner = owner;
        Array = new byte[capacity];
    }

    /// <summary>The backing array; its length is the pool's buffer size.</summary>
    public byte[] Array { get; }

    /// <summary>Number of valid bytes at the start of <see cref="Array"/>.</summary>
    public int Length { get; set; }

    /// <summary>When the packet was captured or is due, in nanoseconds since the Unix epoch (UTC); 0 when unknown.</summary>
    public long TimestampNanoseconds { get; set; }

    /// <summary>The valid bytes.</summary>
    public Span<byte> Span => Array.AsSpan(0, Length);

    /// <summary>Capacity of the buffer in bytes.</summary>
    public int Capacity => Array.Length;

    internal PacketBufferPool Owner { get; }

    internal bool TryMarkRented() => Interlocked.Exchange(ref _rented, 1) == 0;

    internal bool TryMarkReturned() => Interlocked.Exchange(ref _rented, 0) == 1;

    internal void Reset()
    {
        Length = 0;
        TimestampNanoseconds = 0;
    }
}
