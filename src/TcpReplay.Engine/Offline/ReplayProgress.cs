namespace TcpReplay.Engine.Offline;

/// <summary>A snapshot of an offline replay's progress, for progress bars and scripts.</summary>
/// <param name="Phase">Where the replay is.</param>
/// <param name="CaptureTimeDone">Capture time played so far (the last client packet handed over, on the capture's own clock, over all plays).</param>
/// <param name="CaptureTimeTotal">Capture time of all selected client packets, times the plays (-Loop).</param>
/// <param name="ConnectionsTotal">Selected connections of the capture, times the plays.</param>
/// <param name="ConnectionsStarted">Connections whose first packet was handed to the copy engine.</param>
/// <param name="ConnectionsDone">Copies that have ended (any reason).</param>
/// <param name="PacketsTotal">Selected client packets, times the plays.</param>
/// <param name="PacketsReplayed">Client packets handed to the copy engine.</param>
/// <param name="Loop">The play in progress (1-based).</param>
/// <param name="Loops">Plays asked for.</param>
/// <param name="SendLatenessP50">Median delay of a hand-over behind its timeline deadline.</param>
/// <param name="SendLatenessP99">99th percentile of that delay (10 µs buckets).</param>
/// <param name="SendLatenessMax">The largest such delay.</param>
public sealed record ReplayProgress(
    ReplayPhase Phase,
    TimeSpan CaptureTimeDone,
    TimeSpan CaptureTimeTotal,
    long ConnectionsTotal,
    long ConnectionsStarted,
    long ConnectionsDone,
    long PacketsTotal,
    long PacketsReplayed,
    int Loop,
    int Loops,
    TimeSpan SendLatenessP50,
    TimeSpan SendLatenessP99,
    TimeSpan SendLatenessMax)
{
    /// <summary>Percent of the capture time played (0-100), by packets when the capture has no time span.</summary>
    public int PercentComplete => Phase == ReplayPhase.Completed ? 100
        : CaptureTimeTotal > TimeSpan.Zero ? (int)Math.Clamp(CaptureTimeDone.Ticks * 100 / CaptureTimeTotal.Ticks, 0, 100)
        : PacketsTotal > 0 ? (int)Math.Clamp(PacketsReplayed * 100 / PacketsTotal, 0, 100) : 0;
}
