namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// On the target, rp_filter will not drop the copied packets: they arrive from the online host with fake source
/// addresses whose route leaves by the assistant's interface. Strict mode (1) drops a packet whose reverse route
/// leaves by another interface than it came in on; loose mode (2) drops it only when there is no route back at all.
/// Catches: copies that vanish silently on the target (no SYN-ACK, no RST).
/// </summary>
public sealed class ReversePathFilterCheck : IHealthCheck
{
    public string Name => "ReversePathFilter";

    public HealthRole Role => HealthRole.Target;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.FakeClientNetworks.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -FakeClientAddress given.");
        }

        var incoming = options.SpecificInterface ?? IncomingInterface(options, cancellationToken);
        if (incoming is null)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "Cannot tell which interface the copies arrive on: give -Interface, or a -Transfer whose target address is on this host.");
        }

        var rpFilter = Sysctl.ReversePathFilter(incoming, null);
        var details = new List<string>();
        foreach (var network in options.FakeClientNetworks)
        {
            var route = KernelRouteTable.Lookup(network[0], null, cancellationToken);
            var (status, detail) = Decide(incoming, rpFilter, route, network);
            if (status == HealthStatus.Fail)
            {
                return new HealthCheckResult(Name, Role, status, detail,
                    $"Use loose mode on the target: sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.{incoming}.rp_filter=2 (the kernel applies the larger of 'all' and the interface's value).");
            }

            details.Add(detail);
        }

        return new HealthCheckResult(Name, Role, HealthStatus.Pass, string.Join(" ", details));
    }

    private static string? IncomingInterface(HealthCheckOptions options, CancellationToken cancellationToken) =>
        options.Transfers.Select(t => NetworkInterfaces.FindByAddress(t.TargetAddress, null, cancellationToken)?.Name).FirstOrDefault(n => n is not null);

    /// <summary>The kernel's decision for a packet from <paramref name="network"/> arriving on <paramref name="incoming"/>.</summary>
    internal static (HealthStatus Status, string Detail) Decide(string incoming, int? rpFilter, RouteEntry? reverse, IPv4Network network)
    {
        var routable = reverse is not null && reverse.Type == RouteEntry.Unicast && reverse.Device is not null;
        var via = routable ? $"the route back to {network.Canonical} leaves by {reverse!.Device}" : $"there is no route back to {network.Canonical}";
        switch (rpFilter)
        {
            case null:
                return (HealthStatus.Pass, $"{incoming} has no rp_filter setting to read; {via}.");
            case 0:
                return (HealthStatus.Pass, $"rp_filter is off on {incoming}; {via}.");
            case 1 when !routable || reverse!.Device != incoming:
                return (HealthStatus.Fail, $"rp_filter is strict (1) on {incoming}, where the copies arrive, and {via}: the kernel drops every copied packet.");
            case 1:
                return (HealthStatus.Pass, $"rp_filter is strict (1) on {incoming}, and {via}, the same interface: nothing is dropped.");
            default:
                return routable
                    ? (HealthStatus.Pass, $"rp_filter is loose ({rpFilter}) on {incoming}; {via}.")
                    : (HealthStatus.Fail, $"rp_filter is loose ({rpFilter}) on {incoming} and {via}: the kernel drops every copied packet.");
        }
    }
}
