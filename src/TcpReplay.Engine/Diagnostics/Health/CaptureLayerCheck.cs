using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// Does the IP layer see the online port's traffic, or is it DNATed on (as Docker publishes a container's port),
/// so that only a datalink capture sees it? Catches: a RawSocket copy that captures nothing.
/// </summary>
public sealed class CaptureLayerCheck : IHealthCheck
{
    public string Name => "CaptureLayer";

    public HealthRole Role => HealthRole.Online;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.Transfers.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -Transfer given: no online port to look at.");
        }

        var ports = options.Transfers.Select(t => t.OnlinePort).Distinct().ToArray();
        var rules = NatRules.FindDnat(ports, cancellationToken);
        if (rules is null)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Warning,
                "Unknown: the NAT rules cannot be read (iptables-save and nft are missing, or this process lacks CAP_NET_ADMIN); a DNATed port would be invisible to RawSocket capture.",
                "Run as root with iptables or nftables installed, or copy with -CaptureMode Auto, which probes both layers.");
        }

        var (status, detail, remedy) = Decide(options.CaptureMode, ports, rules);
        return new HealthCheckResult(Name, Role, status, detail, remedy);
    }

    internal static (HealthStatus Status, string Detail, string? Remedy) Decide(CaptureMode mode, IReadOnlyCollection<ushort> ports, IReadOnlyList<DnatRule> rules)
    {
        var portList = string.Join(", ", ports);
        if (rules.Count == 0)
        {
            return (HealthStatus.Pass, $"No DNAT rule for port {portList}: the traffic is delivered locally, so the IP layer (RawSocket) sees it.", null);
        }

        var first = rules[0];
        var what = $"Port {first.Port} is forwarded (DNAT to {(first.Destination.Length == 0 ? "another host" : first.Destination)}: {first.Rule}): " +
                   "forwarded packets never reach the IP layer of this host, only a datalink capture sees them";
        return mode switch
        {
            CaptureMode.RawSocket => (HealthStatus.Fail, what + "; -CaptureMode RawSocket will copy nothing.",
                "Start-TcpCopy -CaptureMode Pcap (or Auto, which probes and falls back to the datalink)."),
            CaptureMode.Auto => (HealthStatus.Pass, what + "; Auto probes and falls back to the datalink (Pcap).", null),
            _ => (HealthStatus.Pass, what + "; Pcap captures at the datalink.", null),
        };
    }
}
