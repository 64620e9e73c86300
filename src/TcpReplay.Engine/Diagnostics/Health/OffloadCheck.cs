namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// GRO, LRO and TSO on the capture interface. With them on, the kernel hands the capture merged segments larger
/// than the MTU (up to 64 KiB). The engine re-segments what it sends to the MTU, so copies stay correct; the
/// check warns because packet counts and sizes in captures then differ from the wire.
/// </summary>
public sealed class OffloadCheck : IHealthCheck
{
    public string Name => "Offloads";

    public HealthRole Role => HealthRole.Host;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.SpecificInterface is not { } name)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -Interface given: offloads are per interface.");
        }

        var facts = NetworkInterfaces.Find(name, null, cancellationToken);
        if (facts is null)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, $"There is no interface '{name}' (see the Interface check).");
        }

        var (status, detail, remedy) = Decide(facts.Name, facts.Mtu, facts.GenericReceiveOffload, facts.LargeReceiveOffload, facts.TcpSegmentationOffload);
        return new HealthCheckResult(Name, Role, status, detail, remedy);
    }

    internal static (HealthStatus Status, string Detail, string? Remedy) Decide(string name, int mtu, bool? gro, bool? lro, bool? tso)
    {
        if (gro is null && lro is null && tso is null)
        {
            return (HealthStatus.Skipped, $"Unknown: ethtool is not installed or does not report the offloads of {name}.", null);
        }

        var on = new List<string>();
        if (gro == true)
        {
            on.Add("gro");
        }

        if (lro == true)
        {
            on.Add("lro");
        }

        if (tso == true)
        {
            on.Add("tso");
        }

        if (on.Count == 0)
        {
            return (HealthStatus.Pass, $"GRO, LRO and TSO are off on {name}: captured packets are at most the MTU ({mtu} bytes).", null);
        }

        return (HealthStatus.Warning,
            $"{string.Join(", ", on).ToUpperInvariant()} on for {name}: captured packets can be larger than the MTU ({mtu} bytes); the engine re-segments them to the MTU before sending, so copies stay correct.",
            $"For wire-sized captures: ethtool -K {name} {string.Join(' ', on.Select(o => o + " off"))}");
    }
}
