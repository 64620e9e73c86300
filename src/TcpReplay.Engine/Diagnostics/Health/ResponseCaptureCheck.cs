using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// On the assistant, the intercept's capture would see the target's answers: the target is on a segment of the
/// capture interface, and the capture filter selects its service ports. Catches: an intercept capturing on the
/// wrong interface, which reports nothing, so every copy fails with no response.
/// </summary>
public sealed class ResponseCaptureCheck : IHealthCheck
{
    public string Name => "ResponseCapture";

    public HealthRole Role => HealthRole.Assistant;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.Transfers.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -Transfer given: the target's address and port are unknown.");
        }

        var filter = CaptureFilters.ForTargetResponses(options.Transfers.Select(t => t.TargetPort));
        foreach (var target in options.Transfers.Select(t => t.TargetAddress).Distinct())
        {
            var route = KernelRouteTable.Lookup(target, null, cancellationToken);
            var (status, detail) = Decide(target, route, options.SpecificInterface);
            if (status != HealthStatus.Pass)
            {
                return new HealthCheckResult(Name, Role, status, detail,
                    $"Start-Intercept -Interface {route?.Device ?? "<the interface on the target's segment>"} (the interface on the target's segment).");
            }
        }

        return new HealthCheckResult(Name, Role, HealthStatus.Pass,
            $"The target is on-link on {options.SpecificInterface ?? "the capture interface"}; the intercept's filter '{filter}' selects its answers.");
    }

    internal static (HealthStatus Status, string Detail) Decide(uint target, RouteEntry? route, string? captureInterface)
    {
        var address = Addresses.ToText(target);
        if (route is null || route.Device is null)
        {
            return (HealthStatus.Fail, $"The assistant has no route to the target {address}: it is not on the target's segment.");
        }

        if (captureInterface is not null && route.Device != captureInterface)
        {
            return (HealthStatus.Fail, $"The target {address} is reached by {route.Device}, but the intercept captures on {captureInterface}: it will see none of the target's answers.");
        }

        return route.Gateway is null
            ? (HealthStatus.Pass, $"The target {address} is on-link on {route.Device}.")
            : (HealthStatus.Warning, $"The target {address} is reached via the router {route.Gateway}: the target must route the fake network to this host's address across it.");
    }
}
