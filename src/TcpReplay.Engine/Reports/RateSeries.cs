namespace TcpReplay.Engine.Reports;

/// <summary>A named series of rates: points of (seconds since the start of the run, events per second).</summary>
public sealed record RateSeries(string Name, IReadOnlyList<ChartPoint> Points)
{
    /// <summary>Most buckets when rates are counted from connection records; longer runs get wider buckets.</summary>
    public const int MaxBuckets = 600;

    /// <summary>Differences of a cumulative counter between consecutive samples, per second.</summary>
    public static RateSeries FromSamples(string name, IList<ThroughputSample> samples, DateTime origin, Func<ThroughputSample, long> counter)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(counter);
        var points = new List<ChartPoint>(samples.Count);
        for (var i = 1; i < samples.Count; i++)
        {
            var seconds = (samples[i].Time - samples[i - 1].Time).TotalSeconds;
            if (seconds <= 0)
            {
                continue;
            }

            var rate = Math.Max(0, counter(samples[i]) - counter(samples[i - 1])) / seconds;
            points.Add(new ChartPoint((samples[i].Time - origin).TotalSeconds, rate));
        }

        return new RateSeries(name, points);
    }

    /// <summary>New connections and their requests per second, counted at each connection's start time.</summary>
    public static IReadOnlyList<RateSeries> FromConnections(IList<ReportConnection> connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        if (connections.Count == 0)
        {
            return [];
        }

        var origin = connections.Min(c => c.StartTime);
        var end = connections.Max(c => c.EndTime ?? c.StartTime + c.Duration);
        var span = Math.Max(1, (end - origin).TotalSeconds);
        var width = Math.Max(1, Math.Ceiling(span / MaxBuckets));
        var buckets = (int)Math.Ceiling(span / width) + 1;
        var opened = new double[buckets];
        var requests = new double[buckets];
        foreach (var connection in connections)
        {
            var bucket = Math.Clamp((int)((connection.StartTime - origin).TotalSeconds / width), 0, buckets - 1);
            opened[bucket]++;
            requests[bucket] += connection.Requests;
        }

        return
        [
            new RateSeries("connections/s", [.. opened.Select((n, i) => new ChartPoint(i * width, n / width))]),
            new RateSeries("requests/s", [.. requests.Select((n, i) => new ChartPoint(i * width, n / width))]),
        ];
    }
}
