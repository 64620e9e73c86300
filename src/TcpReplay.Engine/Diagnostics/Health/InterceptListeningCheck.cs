namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// On the assistant, something listens on the intercept's port (36524). A Warning, not a Fail, when nothing does:
/// the check may run before Start-Intercept. The online role's InterceptReachable check is the decisive one.
/// </summary>
public sealed class InterceptListeningCheck : IHealthCheck
{
    public string Name => "InterceptListening";

    public HealthRole Role => HealthRole.Assistant;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        var sockets = ListeningSockets.List(cancellationToken);
        if (sockets is null)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Warning, "Unknown: ss (iproute2) did not run.", "apt-get install iproute2");
        }

        var port = (ushort)options.InterceptPort;
        return ListeningSockets.Accepts(sockets, 0, port)
            ? new HealthCheckResult(Name, Role, HealthStatus.Pass, $"Something listens on TCP port {port} (Start-Intercept's channel).")
            : new HealthCheckResult(Name, Role, HealthStatus.Warning, $"Nothing listens on TCP port {port}: the intercept is not running here yet.",
                $"Start-Intercept -Interface {options.SpecificInterface ?? "<interface on the target's segment>"} -Port {port}");
    }
}
