using TcpReplay.Engine.Intercept;

namespace TcpReplay.Engine.Statistics;

/// <summary>
/// What one intercept session shows through <see cref="ReplayMetrics"/>: the counters of its
/// <see cref="InterceptService"/> (capture) and of its channel server (routing to copiers).
/// </summary>
public sealed class InterceptMetricsSource
{
    /// <param name="session">The session name, the <c>tcpreplay.session</c> tag of every measurement.</param>
    /// <param name="service">A started intercept; read, never written.</param>
    public InterceptMetricsSource(string session, InterceptService service)
    {
        ArgumentException.ThrowIfNullOrEmpty(session);
        ArgumentNullException.ThrowIfNull(service);
        Session = session;
        Service = service;
    }

    public string Session { get; }

    public InterceptService Service { get; }
}
