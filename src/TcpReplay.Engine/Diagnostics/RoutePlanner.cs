using System.Globalization;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// Decides route changes from the routes already there, with no side effects, so the rules can be tested without
/// a kernel: the routes for one prefix in the main table, and the kernel's route to the gateway.
/// </summary>
internal static class RoutePlanner
{
    /// <summary>The destination as ip prints it: "198.19.0.0/16", a bare address for /32, "default" for 0.0.0.0/0.</summary>
    public static string DestinationText(IPv4Network network) => network.Canonical switch
    {
        { PrefixLength: 32 } host => Addresses.ToText(host.Address),
        { PrefixLength: 0 } => "default",
        var other => other.ToString(),
    };

    /// <summary>
    /// The route the kernel uses for the prefix: among routes of the same prefix in one table, the lowest metric
    /// wins (ip prints a missing metric, which is 0).
    /// </summary>
    public static RouteEntry? Effective(IEnumerable<RouteEntry> routes, string destination) =>
        routes.Where(r => r.Destination == destination && r.Table == "main")
            .OrderBy(r => r.Metric ?? 0)
            .FirstOrDefault();

    /// <summary>Why the kernel would refuse <paramref name="kernelRoute"/>'s destination as a next hop, or null when it accepts it.</summary>
    /// <param name="kernelRoute">What <c>ip route get &lt;gateway&gt;</c> answered; null when it found no route.</param>
    /// <param name="device">The interface asked for, or null to take the kernel's.</param>
    public static GatewayProblem? CheckGateway(RouteEntry? kernelRoute, string? device)
    {
        if (kernelRoute is null || kernelRoute.Device is null)
        {
            return GatewayProblem.NoRoute;
        }

        if (kernelRoute.Type == RouteEntry.Local)
        {
            return GatewayProblem.LocalAddress;
        }

        if (kernelRoute.Type != RouteEntry.Unicast)
        {
            return GatewayProblem.NotUnicast;
        }

        if (kernelRoute.Gateway is not null)
        {
            return GatewayProblem.ViaAnotherGateway;
        }

        return device is not null && device != kernelRoute.Device ? GatewayProblem.OtherDevice : null;
    }

    /// <summary>
    /// Unchanged when the winning route already goes via <paramref name="gateway"/> on <paramref name="device"/>;
    /// Replaced (ip route replace, at that route's metric, so it is replaced rather than shadowed) when it goes
    /// elsewhere or is a blackhole; Added when the prefix has no route.
    /// </summary>
    public static RoutePlan PlanEnsure(IPv4Network destination, uint gateway, string device, IReadOnlyList<RouteEntry> existing)
    {
        var dst = DestinationText(destination);
        var via = Addresses.ToText(gateway);
        var before = Effective(existing, dst);
        if (before is { Type: RouteEntry.Unicast } && before.Gateway == via && before.Device == device)
        {
            return new RoutePlan(RouteChangeKind.Unchanged, before, before, []);
        }

        var kind = before is null ? RouteChangeKind.Added : RouteChangeKind.Replaced;
        var args = new List<string> { "route", kind == RouteChangeKind.Added ? "add" : "replace", dst, "via", via, "dev", device };
        if (before?.Metric is { } metric)
        {
            args.AddRange(["metric", metric.ToString(CultureInfo.InvariantCulture)]);
        }

        var after = new RouteEntry(dst, via, device, null, before?.Metric, null, "main");
        return new RoutePlan(kind, before, after, args);
    }

    /// <summary>
    /// Removes the winning route through <paramref name="gateway"/>, or with no gateway given the winning route
    /// through any gateway. Routes without a gateway (the kernel's connected routes, blackholes) are never
    /// candidates: this undoes what <see cref="PlanEnsure"/> set up, and must not cut the host off its own network.
    /// </summary>
    public static RoutePlan PlanRemove(IPv4Network destination, uint? gateway, IReadOnlyList<RouteEntry> existing)
    {
        var dst = DestinationText(destination);
        var via = gateway is { } address ? Addresses.ToText(address) : null;
        var candidates = existing.Where(r => r.Type == RouteEntry.Unicast && r.Gateway is not null && (via is null || r.Gateway == via));
        var target = Effective(candidates, dst);
        if (target is null)
        {
            return new RoutePlan(RouteChangeKind.Absent, null, Effective(existing, dst), []);
        }

        var args = new List<string> { "route", "del", dst, "via", target.Gateway! };
        if (target.Device is not null)
        {
            args.AddRange(["dev", target.Device]);
        }

        // Without a metric ip deletes the first route of the prefix whatever its metric, which may not be this one.
        args.AddRange(["metric", (target.Metric ?? 0).ToString(CultureInfo.InvariantCulture)]);
        var after = Effective(existing.Where(r => !ReferenceEquals(r, target)), dst);
        return new RoutePlan(RouteChangeKind.Removed, target, after, args);
    }
}
