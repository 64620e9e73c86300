namespace TcpReplay.Engine.Connections;

/// <summary>How a counter's value reads.</summary>
public enum CopyCounterKind
{
    /// <summary>A count of things; only grows.</summary>
    Count,

    /// <summary>A total of time in ticks (100 ns); only grows, published in seconds.</summary>
    Ticks,

    /// <summary>The longest of some times, in ticks; a high-water mark, not a metric (a maximum does not add up across sessions).</summary>
    MaxTicks,
}

/// <summary>Where a counter lives in <see cref="CopyStatistics"/>.</summary>
internal delegate ref long CopyCounterField(CopyStatistics statistics);

/// <summary>One line of <see cref="CopyStatistics.Counters"/>.</summary>
/// <param name="Property">The <see cref="CopyStatistics"/> property that shows it.</param>
/// <param name="Metric">Its instrument's name in <see cref="Statistics.ReplayMetrics"/>, or null when it is no metric.</param>
/// <param name="Unit">Its UCUM unit, as the metric carries it.</param>
/// <param name="Kind">How its value reads.</param>
/// <param name="Description">What it counts, as the metric describes it.</param>
public sealed record CopyCounter(string Property, string? Metric, string Unit, CopyCounterKind Kind, string Description)
{
    internal CopyCounter(string property, string? metric, string unit, CopyCounterKind kind, string description, CopyCounterField field)
        : this(property, metric, unit, kind, description)
    {
        Field = field;
    }

    internal CopyCounterField Field { get; } = null!;

    /// <summary>The counter's value in <paramref name="statistics"/>, read whole from any thread.</summary>
    public long Read(CopyStatistics statistics) => Volatile.Read(ref Field(statistics));
}
