using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Runs;

namespace TcpReplay.Engine.Statistics;

/// <summary>
/// What one copy session shows through <see cref="ReplayMetrics"/>: its <see cref="CopyStatistics"/> and, for a
/// live copy, its capture and intercept links. The delegates are called on the metrics collector's thread (a scrape,
/// or a <c>dotnet-counters</c> interval), never on the packet path; each must be safe to call from any thread.
/// </summary>
public sealed class CopyMetricsSource
{
    /// <param name="session">The session name, the <c>tcpreplay.session</c> tag of every measurement.</param>
    /// <param name="statistics">The copy's counters; read, never written.</param>
    public CopyMetricsSource(string session, CopyStatistics statistics)
    {
        ArgumentException.ThrowIfNullOrEmpty(session);
        ArgumentNullException.ThrowIfNull(statistics);
        Session = session;
        Statistics = statistics;
    }

    public string Session { get; }

    public CopyStatistics Statistics { get; }

    /// <summary>The capture's counters, null while no capture is open (an offline replay has none).</summary>
    public Func<CaptureSourceStatistics?>? Capture { get; init; }

    /// <summary>The capture layer in use now, the <c>tcpreplay.capture.layer</c> tag of the capture instruments.</summary>
    public Func<CaptureLayer>? CaptureLayer { get; init; }

    /// <summary>A snapshot of the copier → intercept links.</summary>
    public Func<IReadOnlyList<InterceptLinkStatus>>? InterceptLinks { get; init; }

    /// <summary>The links' reconnections since start.</summary>
    public Func<long>? InterceptReconnects { get; init; }

    /// <summary>The source of a started run: its statistics, its capture (none for a replay) and its intercept links.</summary>
    /// <exception cref="InvalidOperationException">The run has not started.</exception>
    public static CopyMetricsSource For(ICopyRun run, string session)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new CopyMetricsSource(session, run.Statistics)
        {
            Capture = () => run.CaptureStatistics,
            CaptureLayer = () => run.CaptureLayer,
            InterceptLinks = () => run.InterceptLinks,
            InterceptReconnects = () => run.InterceptReconnects,
        };
    }
}
