namespace TcpReplay.Engine.Reports;

/// <summary>One copy (session) in a report: its settings, its figures, its close reasons and its counter samples.</summary>
public sealed class ReportRun
{
    public string Name { get; init; } = "";

    /// <summary>Job state when the report was made (Running, Stopped, ...).</summary>
    public string State { get; init; } = "";

    /// <summary>UTC.</summary>
    public DateTime StartTime { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>How the run was set up (transfers, pacing, capture layer, ...), by name, as text, in display order.</summary>
    public IDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The run's counters by name, in display order; ratios are 0..1.</summary>
    public IDictionary<string, double> Figures { get; init; } = new Dictionary<string, double>();

    /// <summary>Ended connections by close reason name (only reasons that occurred).</summary>
    public IDictionary<string, long> CloseReasons { get; init; } = new Dictionary<string, long>();

    /// <summary>Cumulative counters over time, oldest first (empty when the run kept none).</summary>
    public IList<ThroughputSample> Samples { get; init; } = [];
}
