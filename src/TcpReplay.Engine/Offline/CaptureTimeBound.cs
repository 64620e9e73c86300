using System.Globalization;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// One end of an offline replay's time window: an absolute capture time (UTC), or an offset from the first client
/// packet of the replayed files (the start of the replay's timeline).
/// </summary>
public readonly record struct CaptureTimeBound
{
    private CaptureTimeBound(bool isOffset, long nanoseconds)
    {
        IsOffset = isOffset;
        Nanoseconds = nanoseconds;
    }

    /// <summary>True for an offset from the timeline's start; false for an absolute time.</summary>
    public bool IsOffset { get; }

    /// <summary>The offset, or the absolute time as nanoseconds since the Unix epoch (UTC).</summary>
    public long Nanoseconds { get; }

    /// <summary>An absolute capture time; a local or unspecified kind is taken as local time and converted.</summary>
    public static CaptureTimeBound At(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Utc ? time : time.ToUniversalTime();
        return new CaptureTimeBound(false, (utc - DateTime.UnixEpoch).Ticks * 100);
    }

    /// <summary>An offset from the first client packet of the replay.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is negative.</exception>
    public static CaptureTimeBound After(TimeSpan offset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offset, TimeSpan.Zero);
        return new CaptureTimeBound(true, offset.Ticks * 100);
    }

    /// <summary>Capture time in Unix nanoseconds that this bound stands for, given the timeline's first packet.</summary>
    public long Resolve(long timelineStartNanoseconds) => IsOffset ? timelineStartNanoseconds + Nanoseconds : Nanoseconds;

    public override string ToString() => IsOffset
        ? "+" + TimeSpan.FromTicks(Nanoseconds / 100).ToString("c", CultureInfo.InvariantCulture)
        : DateTime.UnixEpoch.AddTicks(Nanoseconds / 100).ToString("o", CultureInfo.InvariantCulture);
}
