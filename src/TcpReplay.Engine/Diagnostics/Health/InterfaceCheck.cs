namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// The interface exists, is up with a carrier, and its MTU. Catches: InterfaceNotFound at start, and a capture
/// that sees nothing because the link is down.
/// </summary>
public sealed class InterfaceCheck : IHealthCheck
{
    public string Name => "Interface";

    public HealthRole Role => HealthRole.Host;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.SpecificInterface is not { } name)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -Interface given (or 'any'): every interface is captured on.");
        }

        var all = NetworkInterfaces.List(null, cancellationToken);
        var facts = all.FirstOrDefault(i => i.Name == name);
        if (facts is null)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Fail, $"There is no interface '{name}' in this network namespace.",
                $"Use one of: {string.Join(", ", all.Select(i => i.Name))} ('ip link' lists them), or 'any'.");
        }

        var (status, detail) = Decide(facts);
        return new HealthCheckResult(Name, Role, status, detail, status == HealthStatus.Pass ? null : $"ip link set {name} up (and check its cable or its veth peer).");
    }

    internal static (HealthStatus Status, string Detail) Decide(NetworkInterfaceFacts facts)
    {
        var addresses = facts.Addresses.Count == 0 ? "no IPv4 address" : string.Join(", ", facts.Addresses);
        if (!facts.IsUp)
        {
            return (HealthStatus.Fail, $"{facts.Name} is down (MTU {facts.Mtu}, {addresses}).");
        }

        if (!facts.HasCarrier)
        {
            return (HealthStatus.Fail, $"{facts.Name} is up but has no carrier (MTU {facts.Mtu}, {addresses}).");
        }

        return (HealthStatus.Pass, $"{facts.Name} is up, MTU {facts.Mtu}, {addresses}.");
    }
}
