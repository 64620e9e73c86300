namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// Something listens on each online port (ss -ltn), or a DNAT rule forwards it. Catches: a -Transfer naming a port
/// no service uses, so there is nothing to copy.
/// </summary>
public sealed class ServiceListeningCheck : IHealthCheck
{
    public string Name => "OnlineServiceListening";

    public HealthRole Role => HealthRole.Online;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.Transfers.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -Transfer given: no online port to look at.");
        }

        var sockets = ListeningSockets.List(cancellationToken);
        if (sockets is null)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Warning, "Unknown: ss (iproute2) did not run.", "apt-get install iproute2");
        }

        var ports = options.Transfers.Select(t => t.OnlinePort).Distinct().ToArray();
        var dnat = NatRules.FindDnat(ports, cancellationToken) ?? [];
        var (status, detail) = Decide(options.Transfers, sockets, dnat);
        return new HealthCheckResult(Name, Role, status, detail,
            status == HealthStatus.Pass ? null : "Start the online service, or correct -Transfer to the port it listens on ('ss -ltn' lists them).");
    }

    internal static (HealthStatus Status, string Detail) Decide(
        IReadOnlyList<Connections.Transfer> transfers, IReadOnlyList<(string Address, ushort Port)> sockets, IReadOnlyList<DnatRule> dnat)
    {
        var found = new List<string>();
        foreach (var transfer in transfers)
        {
            if (ListeningSockets.Accepts(sockets, transfer.OnlineAddress, transfer.OnlinePort))
            {
                found.Add($"port {transfer.OnlinePort} listens");
            }
            else if (dnat.FirstOrDefault(r => r.Port == transfer.OnlinePort) is { } rule)
            {
                found.Add($"port {transfer.OnlinePort} is DNATed to {rule.Destination}");
            }
            else
            {
                return (HealthStatus.Fail, $"Nothing listens on port {transfer.OnlinePort} here and no DNAT rule forwards it: no client traffic to copy.");
            }
        }

        return (HealthStatus.Pass, string.Join("; ", found) + ".");
    }
}
