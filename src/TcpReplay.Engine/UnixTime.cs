namespace TcpReplay.Engine;

/// <summary>Conversions of capture timestamps (nanoseconds since the Unix epoch, UTC).</summary>
public static class UnixTime
{
    /// <summary>The UTC time of a timestamp, to the 100 ns tick (DateTime cannot hold finer).</summary>
    public static DateTime ToDateTime(long unixNanoseconds) =>
        DateTime.UnixEpoch.AddTicks(unixNanoseconds / TimeSpan.NanosecondsPerTick);

    public static long FromDateTime(DateTime utc) =>
        (utc.ToUniversalTime() - DateTime.UnixEpoch).Ticks * TimeSpan.NanosecondsPerTick;
}
