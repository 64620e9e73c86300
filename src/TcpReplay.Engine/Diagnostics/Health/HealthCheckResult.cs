namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>The outcome of one health check.</summary>
/// <param name="Name">The check's stable name ("IpForwarding"), the same for every run.</param>
/// <param name="Role">The role the check belongs to.</param>
/// <param name="Status">Pass, Warning, Fail or Skipped.</param>
/// <param name="Detail">What was measured, in words, with the figures (values, interfaces, addresses).</param>
/// <param name="Remedy">The exact command or setting that fixes a Fail or Warning; null when there is nothing to fix.</param>
public sealed record HealthCheckResult(string Name, HealthRole Role, HealthStatus Status, string Detail, string? Remedy = null)
{
    /// <summary>How long the check took.</summary>
    public TimeSpan Duration { get; init; }
}
