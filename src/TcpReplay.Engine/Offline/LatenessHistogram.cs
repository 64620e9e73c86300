namespace TcpReplay.Engine.Offline;

/// <summary>
/// Counts lateness samples (nanoseconds) in fixed buckets of 10 µs up to 10 ms, plus one overflow bucket, so that
/// percentiles cost no allocation per sample. Percentiles are the upper edge of their bucket (at most 10 µs high).
/// </summary>
/// <remarks>Written by one thread; read from others as a snapshot that may be a sample behind.</remarks>
public sealed class LatenessHistogram
{
    /// <summary>Width of one bucket in nanoseconds.</summary>
    public const long BucketNanoseconds = 10_000;

    private const int Buckets = 1000;
    private readonly long[] _counts = new long[Buckets + 1];
    private long _count;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    /// <summary>The largest sample, in nanoseconds.</summary>
    public long Max => Volatile.Read(ref _max);

    public void Add(long nanoseconds)
    {
        var bucket = nanoseconds <= 0 ? 0 : Math.Min(Buckets, nanoseconds / BucketNanoseconds);
        Interlocked.Increment(ref _counts[bucket]);
        if (nanoseconds > _max)
        {
            Volatile.Write(ref _max, nanoseconds);
        }

        Interlocked.Increment(ref _count);
    }

    /// <summary>The smallest bucket edge (ns) that at least <paramref name="fraction"/> of the samples are at or below; 0 with no samples.</summary>
    public long Percentile(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var wanted = (long)Math.Ceiling(fraction * count);
        long seen = 0;
        for (var i = 0; i <= Buckets; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= wanted)
            {
                return i == Buckets ? Max : (i + 1) * BucketNanoseconds;
            }
        }

        return Max;
    }
}
