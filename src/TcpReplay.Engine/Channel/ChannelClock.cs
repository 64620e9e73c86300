using System.Diagnostics;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// Milliseconds for the combined-frame rules. Environment.TickCount64 is CLOCK_MONOTONIC_COARSE on Linux (4 ms
/// steps at HZ=250), which would stretch "the millisecond changed" to 4 ms; intercept reads gettimeofday.
/// </summary>
internal static class ChannelClock
{
    private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;

    public static long NowMs => Stopwatch.GetTimestamp() / TicksPerMillisecond;
}
