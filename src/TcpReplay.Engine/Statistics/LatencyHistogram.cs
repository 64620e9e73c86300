namespace TcpReplay.Engine.Statistics;

/// <summary>
/// A bounded histogram of durations for percentiles: log-linear buckets of microseconds (every power of two split into
/// <see cref="SubBuckets"/> equal parts), so any percentile is within 1/<see cref="SubBuckets"/> (about 3 %) of the
/// true sample, from 1 µs to about 9 days, in fixed memory whatever the sample count.
/// </summary>
/// <remarks>
/// One writer thread (the copy engine) calls <see cref="Record"/>, which allocates nothing; any thread may read. A
/// reader sees every bucket whole, but buckets and totals can be a few samples apart while the writer runs.
/// </remarks>
public sealed partial class LatencyHistogram
{
    /// <summary>Linear buckets per power of two; values below it are exact microseconds.</summary>
    public const int SubBuckets = 32;
    private const int SubBucketBits = 5;
    private const int MaxExponent = 40;
    private const int BucketCount = SubBuckets + ((MaxExponent - SubBucketBits + 1) * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _maxMicroseconds;
    private long _sumMicroseconds;

    /// <summary>Samples recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The largest sample, exact to the microsecond; zero when empty.</summary>
    public TimeSpan Max => TimeSpan.FromMicroseconds(Volatile.Read(ref _maxMicroseconds));

    /// <summary>The mean of the samples; zero when empty.</summary>
    public TimeSpan Mean
    {
        get
        {
            var count = Count;
            return count == 0 ? TimeSpan.Zero : TimeSpan.FromMicroseconds((double)Volatile.Read(ref _sumMicroseconds) / count);
        }
    }

    /// <summary>Adds one sample; negative durations count as zero, durations past the range as the largest bucket.</summary>
    public void Record(TimeSpan duration)
    {
        var microseconds = Math.Max(0, duration.Ticks / TimeSpan.TicksPerMicrosecond);
        Interlocked.Increment(ref _counts[IndexOf(microseconds)]);
        Volatile.Write(ref _sumMicroseconds, _sumMicroseconds + microseconds);
        if (microseconds > _maxMicroseconds)
        {
            Volatile.Write(ref _maxMicroseconds, microseconds);
        }

        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>
    /// The duration at or below which <paramref name="percentile"/> per cent of the samples lie (nearest rank), reported
    /// as the middle of its bucket and never above <see cref="Max"/>; null when there are no samples.
    /// </summary>
    /// <param name="percentile">0 to 100.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is outside 0..100 or not a number.</exception>
    public TimeSpan? Percentile(double percentile)
    {
        if (!(percentile is >= 0 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is 0 to 100.");
        }

        long total = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            total += Volatile.Read(ref _counts[i]);
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                var (low, width) = BucketRange(i);
                var middle = low + (width / 2);
                return TimeSpan.FromMicroseconds(Math.Min(middle, Volatile.Read(ref _maxMicroseconds)));
            }
        }

        return Max;
    }

    internal static int IndexOf(long microseconds)
    {
        if (microseconds < SubBuckets)
        {
            return (int)microseconds;
        }

        var exponent = (int)Math.Min(63 - long.LeadingZeroCount(microseconds), MaxExponent);
        if (exponent == MaxExponent && microseconds >= 1L << (MaxExponent + 1))
        {
            return BucketCount - 1;
        }

        var shift = exponent - SubBucketBits;
        var sub = (int)((microseconds >> shift) & (SubBuckets - 1));
        return SubBuckets + (shift * SubBuckets) + sub;
    }

    /// <summary>Lowest value and width of a bucket, in microseconds.</summary>
    internal static (long Low, long Width) BucketRange(int index)
    {
        if (index < SubBuckets)
        {
            return (index, 1);
        }

        var shift = (index - SubBuckets) / SubBuckets;
        var sub = (index - SubBuckets) % SubBuckets;
        var width = 1L << shift;
        return ((SubBuckets + sub) * width, width);
    }
}
