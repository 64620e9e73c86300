namespace TcpReplay.Engine.Threading;

/// <summary>A <see cref="TimeProvider"/>'s monotonic clock in nanoseconds: the copy engine's and the offline scheduler's.</summary>
/// <remarks>
/// Linux's system clock already counts nanoseconds, so the common case is one read and no arithmetic: a 128-bit
/// division per read showed in the copier's profile under load (docs/benchmarks.md, Session 12). A provider with
/// another frequency (a test's fake clock) is scaled exactly.
/// </remarks>
internal sealed class NanosecondClock(TimeProvider time)
{
    private const long NanosecondsPerSecond = 1_000_000_000;
    private readonly long _frequency = time.TimestampFrequency;

    public long Now()
    {
        var timestamp = time.GetTimestamp();
        return _frequency == NanosecondsPerSecond
            ? timestamp
            : (long)((UInt128)(ulong)timestamp * NanosecondsPerSecond / (ulong)_frequency);
    }
}
