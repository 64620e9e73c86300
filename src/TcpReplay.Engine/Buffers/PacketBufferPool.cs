using System.Runtime.InteropServices;
using Microsoft.Extensions.ObjectPool;

namespace TcpReplay.Engine.Buffers;

/// <summary>
/// A bounded pool of equally sized <see cref="PacketBuffer"/>s for the per-packet hot path.
/// </summary>
/// <remarks>
/// Renting from a warm pool allocates nothing. The pool retains at most <c>maximumRetained</c> idle buffers; a
/// buffer returned beyond that is dropped for the garbage collector, so a burst does not pin memory for good.
/// Returning a buffer twice, or to a pool that did not rent it, throws <see cref="InvalidOperationException"/>:
/// both are ownership bugs that would otherwise let two owners write into the same packet.
/// </remarks>
public sealed class PacketBufferPool
{
    private readonly DefaultObjectPool<PacketBuffer> _pool;

    // A capture thread rents and the engine thread returns: each count on a cache line of its own, so neither write
    // takes the line from the other thread per packet (docs/benchmarks.md, Session 12).
    private PaddedCount _rents;
    private PaddedCount _returns;

    /// <param name="bufferSize">Bytes per buffer; must hold the largest packet the caller will put in it.</param>
    /// <param name="maximumRetained">Idle buffers kept for reuse.</param>
    public PacketBufferPool(int bufferSize = DefaultBufferSize, int maximumRetained = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumRetained, 1);
        BufferSize = bufferSize;
        _pool = new DefaultObjectPool<PacketBuffer>(new Policy(this), maximumRetained);
    }

    /// <summary>Room for a 64 KiB IP packet (GRO/LRO on the capturing host) behind the longest link header.</summary>
    public const int DefaultBufferSize = 65535 + 128;

    public int BufferSize { get; }

    /// <summary>Buffers rented and not yet returned.</summary>
    public long Outstanding => Volatile.Read(ref _rents.Value) - Volatile.Read(ref _returns.Value);

    /// <summary>Takes a buffer with <see cref="PacketBuffer.Length"/> 0; the caller owns it until it is returned.</summary>
    public PacketBuffer Rent()
    {
        var buffer = _pool.Get();
        if (!buffer.TryMarkRented())
        {
            throw new InvalidOperationException("The pool handed out a buffer that is already rented: a buffer was used after its return.");
        }

        Interlocked.Increment(ref _rents.Value);
        return buffer;
    }

    /// <summary>Gives a rented buffer back. The caller must not use it afterwards.</summary>
    /// <exception cref="InvalidOperationException">The buffer was already returned, or belongs to another pool.</exception>
    public void Return(PacketBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!ReferenceEquals(buffer.Owner, this))
        {
            throw new InvalidOperationException("The packet buffer belongs to another pool.");
        }

        if (!buffer.TryMarkReturned())
        {
            throw new InvalidOperationException("The packet buffer was returned twice; its first owner returned it already.");
        }

        Interlocked.Increment(ref _returns.Value);
        buffer.Reset();
        _pool.Return(buffer);
    }

    /// <summary>Gives a rented buffer back to the pool that rented it, whichever that is.</summary>
    /// <exception cref="InvalidOperationException">The buffer was already returned.</exception>
    public static void ReturnToOwner(PacketBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        buffer.Owner.Return(buffer);
    }

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedCount
    {
        [FieldOffset(64)] public long Value;
    }

    private sealed class Policy(PacketBufferPool owner) : IPooledObjectPolicy<PacketBuffer>
    {
        public PacketBuffer Create() => new(owner, owner.BufferSize);

        public bool Return(PacketBuffer obj) => true;
    }
}
