namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// On the target, no fake client address belongs to a real host: none is assigned here, and none that the target
/// reaches on-link answers ARP. Catches the bystander-RST fault: a real host receives the target's SYN-ACK for a
/// connection it never opened and answers RST, so the copy fails as HandshakeFailed (BystanderReset).
/// </summary>
public sealed class FakeAddressOwnerCheck : IHealthCheck
{
    public string Name => "FakeAddressUnowned";

    public HealthRole Role => HealthRole.Target;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.FakeClientNetworks.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -FakeClientAddress given.");
        }

        var interfaces = NetworkInterfaces.List(null, cancellationToken);
        var candidates = FirstAddresses(options.FakeClientNetworks, options.ArpProbeCount);
        if (candidates.FirstOrDefault(a => interfaces.Any(i => i.Addresses.Any(n => n.Address == a))) is var own and not 0)
        {
            var owner = interfaces.First(i => i.Addresses.Any(n => n.Address == own));
            return new HealthCheckResult(Name, Role, HealthStatus.Fail,
                $"The fake client address {Addresses.ToText(own)} is assigned to this host ({owner.Name}): the target answers itself, not the assistant.",
                $"Remove it (ip addr del {Addresses.ToText(own)}/{owner.Addresses.First(n => n.Address == own).PrefixLength} dev {owner.Name}), or use another -FakeClientAddress.");
        }

        // Only addresses the target reaches on-link are ARPed for; routed ones go to a gateway whoever owns them.
        var onLink = new Dictionary<string, List<uint>>();
        foreach (var address in candidates)
        {
            var route = KernelRouteTable.Lookup(address, null, cancellationToken);
            if (route is { Gateway: null, Type: RouteEntry.Unicast, Device: { } device })
            {
                (onLink.TryGetValue(device, out var list) ? list : onLink[device] = []).Add(address);
            }
        }

        if (onLink.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Pass,
                $"None of the first {candidates.Count} fake addresses is assigned here or reached on-link, so no host on a segment of the target can claim them.");
        }

        var answers = new List<ArpAnswer>();
        foreach (var (device, addresses) in onLink)
        {
            try
            {
                answers.AddRange(ArpProbe.Probe(device, addresses, options.ArpTimeout, null, cancellationToken));
            }
            catch (Exception exception) when (exception is ArpProbeException or NetworkInterfaceNotFoundException)
            {
                return new HealthCheckResult(Name, Role, HealthStatus.Warning,
                    $"{addresses.Count} fake addresses are on-link on {device}, but ARP cannot be asked there: {exception.Message}",
                    PrivilegesCheck.Remedy);
            }
        }

        var (status, detail, remedy) = Decide(onLink, answers, options.Assistant);
        return new HealthCheckResult(Name, Role, status, detail, remedy);
    }

    internal static List<uint> FirstAddresses(IEnumerable<IPv4Network> networks, int perNetwork)
    {
        var result = new List<uint>();
        foreach (var network in networks)
        {
            for (long i = 0; i < network.Count && i < perNetwork; i++)
            {
                result.Add(network[i]);
            }
        }

        return result;
    }

    internal static (HealthStatus Status, string Detail, string? Remedy) Decide(
        IReadOnlyDictionary<string, List<uint>> onLink, IReadOnlyList<ArpAnswer> answers, uint? assistant)
    {
        var asked = onLink.Values.Sum(l => l.Count);
        var where = string.Join(", ", onLink.Keys);
        if (answers.Count == 0)
        {
            return (HealthStatus.Warning,
                $"{asked} fake addresses are on-link on {where} and none answered ARP now; but the target ARPs for them instead of routing via the assistant (see FakeNetworkRoute).",
                null);
        }

        var first = answers[0];
        var owners = string.Join(", ", answers.Select(a => $"{Addresses.ToText(a.Address)} at {FormatMac(a)}").Distinct().Take(5));
        return (HealthStatus.Fail,
            $"{answers.Select(a => a.Address).Distinct().Count()} of {asked} fake addresses answered ARP on {where} ({owners}): real hosts own them and will reset the target's answers (BystanderReset).",
            $"Use a fake network no host uses (for example 198.19.0.0/24), or route the owned address via the assistant on the target: " +
            $"Set-TargetRoute -FakeClientNetwork {Addresses.ToText(first.Address)}/32 -Assistant {(assistant is { } a ? Addresses.ToText(a) : "<assistant address>")}");
    }

    private static string FormatMac(ArpAnswer answer) =>
        string.Join(':', answer.Mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
