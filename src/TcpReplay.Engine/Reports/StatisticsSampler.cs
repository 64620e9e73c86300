using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Reports;

/// <summary>
/// Keeps a bounded time series of a copy's counters for the report's throughput chart: one sample per call to
/// <see cref="Sample(DateTime)"/> (the session calls it about once a second).
/// </summary>
/// <remarks>
/// When <see cref="Capacity"/> samples are held, every other one is dropped and from then on only every second call
/// is kept (then every fourth, and so on), so a run of any length keeps its whole span at a coarser step, in at most
/// <see cref="Capacity"/> samples. Thread-safe: one writer (the timer) and any number of readers.
/// </remarks>
public sealed class StatisticsSampler
{
    private readonly CopyStatistics _statistics;
    private readonly List<ThroughputSample> _samples;
    private readonly Lock _lock = new();
    private int _stride = 1;
    private long _calls;

    /// <param name="statistics">The counters to read; the sampler only reads them.</param>
    /// <param name="capacity">Most samples held, at least 4 (3,600 is an hour at one a second before thinning).</param>
    public StatisticsSampler(CopyStatistics statistics, int capacity = 3600)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        _statistics = statistics;
        Capacity = capacity;
        _samples = new List<ThroughputSample>(capacity);
    }

    public int Capacity { get; }

    /// <summary>Calls between two kept samples: 1 until the series first filled up, then 2, 4, ...</summary>
    public int Stride
    {
        get
        {
            lock (_lock)
            {
                return _stride;
            }
        }
    }

    /// <summary>Reads the counters as of <paramref name="nowUtc"/> and keeps them unless thinning skips this call.</summary>
    public void Sample(DateTime nowUtc) => Add(new ThroughputSample(nowUtc, _statistics.ClientPacketsSeen, _statistics.ClientPacketsSent,
        _statistics.ConnectionsOpened, _statistics.ResponsesReceived, _statistics.BytesSent), force: false);

    /// <summary>Keeps a last sample whatever the stride, so the series ends where the copy ended.</summary>
    public void SampleFinal(DateTime nowUtc) => Add(new ThroughputSample(nowUtc, _statistics.ClientPacketsSeen, _statistics.ClientPacketsSent,
        _statistics.ConnectionsOpened, _statistics.ResponsesReceived, _statistics.BytesSent), force: true);

    /// <summary>A copy of the samples held, oldest first.</summary>
    public IReadOnlyList<ThroughputSample> Snapshot()
    {
        lock (_lock)
        {
            return [.. _samples];
        }
    }

    private void Add(ThroughputSample sample, bool force)
    {
        lock (_lock)
        {
            if (!force && _calls++ % _stride != 0)
            {
                return;
            }

            if (_samples.Count == Capacity)
            {
                Thin();
            }

            _samples.Add(sample);
        }
    }

    private void Thin()
    {
        // Keep the first sample (the start of the run) and every other one after it.
        var kept = 0;
        for (var i = 0; i < _samples.Count; i += 2)
        {
            _samples[kept++] = _samples[i];
        }

        _samples.RemoveRange(kept, _samples.Count - kept);
        _stride *= 2;
    }
}
