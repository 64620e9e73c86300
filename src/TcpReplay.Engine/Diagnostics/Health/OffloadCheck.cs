namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// The offloads of the capture interface, reported for what they are: the kernel's defaults on most hosts (every veth
/// and tap of Docker, Kubernetes and libvirt), and harmless to the copy. TX checksum offload leaves partial checksums in
/// captures of the host's own packets, and the copier computes both checksums afresh for every packet it sends; GRO,
/// LRO and TSO hand the capture segments larger than the MTU, and the engine re-segments them to the MTU. Turning
/// offloads off on a production host costs its CPU and is never the fix, so the check passes and says why.
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

        var (status, detail) = Decide(facts.Name, facts.Mtu, facts.GenericReceiveOffload, facts.LargeReceiveOffload, facts.TcpSegmentationOffload,
            facts.TransmitChecksumOffload);
        return new HealthCheckResult(Name, Role, status, detail);
    }

    internal static (HealthStatus Status, string Detail) Decide(string name, int mtu, bool? gro, bool? lro, bool? tso, bool? txChecksum)
    {
        if (gro is null && lro is null && tso is null && txChecksum is null)
        {
            return (HealthStatus.Skipped, $"Unknown: ethtool is not installed or does not report the offloads of {name}.");
        }

        var parts = new List<string>();
        if (txChecksum == true)
        {
            parts.Add($"TX checksum offload is on for {name} (the kernel's default): packets sent with it, this host's own and those of "
                + "clients on a local veth or tap (containers, VMs), are captured with partial checksums, and the copier computes the IP and "
                + "TCP checksums of every packet it sends afresh");
        }

        var segmenting = new List<string>();
        if (gro == true)
        {
            segmenting.Add("GRO");
        }

        if (lro == true)
        {
            segmenting.Add("LRO");
        }

        if (tso == true)
        {
            segmenting.Add("TSO");
        }

        if (segmenting.Count > 0)
        {
            parts.Add($"{string.Join(", ", segmenting)} on: captured packets can be larger than the MTU ({mtu} bytes), and the engine "
                + "re-segments them to the MTU before sending");
        }

        if (parts.Count == 0)
        {
            var unknown = gro is null || lro is null || tso is null || txChecksum is null ? " (the others are not reported)" : string.Empty;
            return (HealthStatus.Pass, $"The offloads ethtool reports are off on {name}{unknown}: captures hold full checksums and packets of at most the MTU ({mtu} bytes).");
        }

        return (HealthStatus.Pass, string.Join("; ", parts) + ". Normal and harmless to the copy: leave the offloads as they are.");
    }
}
