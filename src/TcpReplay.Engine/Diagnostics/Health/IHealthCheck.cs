namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>One check of a host's set-up. Implementations measure, decide and explain; they report, never throw.</summary>
public interface IHealthCheck
{
    /// <summary>The stable name, as in <see cref="HealthCheckResult.Name"/>.</summary>
    string Name { get; }

    /// <summary>The role the check belongs to.</summary>
    HealthRole Role { get; }

    /// <summary>Measures and decides. Expected failures (tool missing, refused connection) are results, not exceptions.</summary>
    HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken);
}
