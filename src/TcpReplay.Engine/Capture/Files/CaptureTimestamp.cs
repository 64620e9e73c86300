using System.Diagnostics;
using System.Numerics;

namespace TcpReplay.Engine.Capture.Files;

/// <summary>Integer conversion of capture-file timestamp units to Unix nanoseconds.</summary>
internal static class CaptureTimestamp
{
    public const ulong NanosecondsPerSecond = 1_000_000_000;
    public const ulong MicrosecondsPerSecond = 1_000_000;

    // The largest whole second whose nanosecond count still fits a long (2262-04-11).
    private const ulong MaxSeconds = long.MaxValue / NanosecondsPerSecond;

    /// <summary>
    /// Converts <paramref name="units"/> (counted at <paramref name="unitsPerSecond"/>, since
    /// <paramref name="offsetSeconds"/> seconds after the Unix epoch) to nanoseconds since the epoch.
    /// Sub-nanosecond parts are truncated. False when the result does not fit a <see cref="long"/>.
    /// </summary>
    public static bool TryToNanoseconds(ulong units, ulong unitsPerSecond, long offsetSeconds, out long nanoseconds)
    {
        Debug.Assert(unitsPerSecond != 0, "Interface parsing yields at least 1 unit per second (10^0 or 2^0).");
        nanoseconds = 0;
        ulong total;
        if (unitsPerSecond == NanosecondsPerSecond)
        {
            total = units;
        }
        else if (unitsPerSecond == MicrosecondsPerSecond)
        {
            if (units > long.MaxValue / 1000)
            {
                return false;
            }

            total = units * 1000;
        }
        else
        {
            ulong seconds = units / unitsPerSecond;
            ulong fraction = units - (seconds * unitsPerSecond);
            if (seconds > MaxSeconds)
            {
                return false;
            }

            // fraction < unitsPerSecond < 2^64, so fraction * 10^9 needs up to 94 bits.
            UInt128 scaled = (UInt128)fraction * NanosecondsPerSecond;
            ulong fractionNs = BitOperations.IsPow2(unitsPerSecond)
                ? (ulong)(scaled >> BitOperations.TrailingZeroCount(unitsPerSecond))
                : (ulong)(scaled / unitsPerSecond);
            total = (seconds * NanosecondsPerSecond) + fractionNs;
        }

        if (total > long.MaxValue)
        {
            return false;
        }

        long result = (long)total;
        if (offsetSeconds != 0)
        {
            if (offsetSeconds > (long)MaxSeconds || offsetSeconds < -(long)MaxSeconds)
            {
                return false;
            }

            long offset = offsetSeconds * (long)NanosecondsPerSecond;
            long sum = result + offset;
            if (((result ^ sum) & (offset ^ sum)) < 0)
            {
                return false;
            }

            result = sum;
        }

        nanoseconds = result;
        return true;
    }
}
