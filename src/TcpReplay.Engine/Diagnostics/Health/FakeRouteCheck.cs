namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// On the target, each fake client network is routed via the assistant. Catches: the target's answers going to
/// its default gateway (or nowhere) instead of the assistant, so every copied handshake fails with no SYN-ACK.
/// </summary>
public sealed class FakeRouteCheck : IHealthCheck
{
    public string Name => "FakeNetworkRoute";

    public HealthRole Role => HealthRole.Target;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.FakeClientNetworks.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -FakeClientAddress given.");
        }

        var details = new List<string>();
        var worst = HealthStatus.Pass;
        string? remedy = null;
        foreach (var network in options.FakeClientNetworks)
        {
            var probe = network[0];
            var route = KernelRouteTable.Lookup(probe, null, cancellationToken);
            var (status, detail) = Decide(network, probe, route, options.Assistant);
            details.Add(detail);
            if (status > worst)
            {
                worst = status;
                remedy = $"On the target: Set-TargetRoute -FakeClientNetwork {network.Canonical} -Assistant {(options.Assistant is { } a ? Addresses.ToText(a) : "<assistant address>")}";
            }
        }

        return new HealthCheckResult(Name, Role, worst, string.Join(" ", details), remedy);
    }

    /// <summary>Pass when the route to <paramref name="probe"/> goes via the assistant; without an assistant to compare, any gateway is a Warning.</summary>
    internal static (HealthStatus Status, string Detail) Decide(IPv4Network network, uint probe, RouteEntry? route, uint? assistant)
    {
        var address = Addresses.ToText(probe);
        if (route is null || route.Type is not RouteEntry.Unicast)
        {
            return (HealthStatus.Fail, $"{network.Canonical}: the target has no route to {address} ({route?.Type ?? "unreachable"}), so its answers are dropped.");
        }

        if (route.Gateway is null)
        {
            return (HealthStatus.Fail, $"{network.Canonical}: {address} is on-link on {route.Device}: the target sends its answers there by ARP, not to the assistant.");
        }

        if (assistant is not { } expected)
        {
            return (HealthStatus.Warning, $"{network.Canonical}: routed via {route.Gateway} dev {route.Device}; no -Assistant given to compare.");
        }

        return route.Gateway == Addresses.ToText(expected)
            ? (HealthStatus.Pass, $"{network.Canonical}: routed via the assistant {route.Gateway} dev {route.Device}.")
            : (HealthStatus.Fail, $"{network.Canonical}: routed via {route.Gateway} dev {route.Device}, not via the assistant {Addresses.ToText(expected)}: the answers go elsewhere.");
    }
}
