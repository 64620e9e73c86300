using System.Globalization;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// Finds DNAT rules for a port in the nat table, from <c>iptables-save -t nat</c> and <c>nft list ruleset</c>.
/// </summary>
/// <remarks>
/// A DNATed packet is forwarded, never delivered locally, so an IP-layer raw socket on the host does not see it
/// (RawSocketCapture); only a datalink capture does. Docker puts its rules in its own DOCKER chain, jumped to from
/// PREROUTING, so every chain of the nat table is read, not PREROUTING alone.
/// </remarks>
public static class NatRules
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The DNAT rules of this namespace that match TCP traffic to one of <paramref name="ports"/>; null when neither
    /// iptables-save nor nft could be run (not installed, or no CAP_NET_ADMIN to read the rules).
    /// </summary>
    public static IReadOnlyList<DnatRule>? FindDnat(IReadOnlyCollection<ushort> ports, CancellationToken cancellationToken = default)
    {
        var found = new List<DnatRule>();
        var iptables = ExternalCommand.TryRun("iptables-save", ["-t", "nat"], CommandLimit, cancellationToken);
        if (iptables is not null)
        {
            found.AddRange(ParseIptablesSave(iptables, ports));
        }

        // nft shows the iptables-nft rules too (as "xt" or translated expressions), plus native nft ones.
        var nft = ExternalCommand.TryRun("nft", ["list", "ruleset"], CommandLimit, cancellationToken);
        if (iptables is null && nft is null)
        {
            return null;
        }

        if (nft is not null)
        {
            foreach (var rule in ParseNftRuleset(nft, ports))
            {
                if (!found.Exists(r => r.Port == rule.Port && r.Destination == rule.Destination))
                {
                    found.Add(rule);
                }
            }
        }

        return found;
    }

    /// <summary>DNAT rules in <c>iptables-save</c> output ("-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80").</summary>
    internal static IEnumerable<DnatRule> ParseIptablesSave(string text, IReadOnlyCollection<ushort> ports)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (!line.StartsWith("-A ", StringComparison.Ordinal))
            {
                continue;
            }

            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var target = ValueAfter(words, "-j");
            if (target != "DNAT" || IsOtherProtocol(ValueAfter(words, "-p")))
            {
                continue;
            }

            var destination = ValueAfter(words, "--to-destination") ?? string.Empty;
            foreach (var port in PortsOf(ValueAfter(words, "--dport") ?? ValueAfter(words, "--dports"), negated: IsNegated(words, "--dport")))
            {
                if (ports.Contains(port))
                {
                    yield return new DnatRule(port, destination, line);
                }
            }
        }
    }

    /// <summary>DNAT rules in <c>nft list ruleset</c> output ("tcp dport 8080 dnat ip to 172.17.0.2:80", "tcp dport { 80, 8080 } dnat to ...").</summary>
    internal static IEnumerable<DnatRule> ParseNftRuleset(string text, IReadOnlyCollection<ushort> ports)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            var dnat = line.IndexOf("dnat ", StringComparison.Ordinal);
            var dport = line.IndexOf("tcp dport ", StringComparison.Ordinal);
            if (dnat < 0 || dport < 0 || dport > dnat)
            {
                continue;
            }

            var portText = line[(dport + "tcp dport ".Length)..dnat].Trim();
            if (portText.StartsWith("!=", StringComparison.Ordinal))
            {
                continue;
            }

            var to = line.IndexOf(" to ", dnat, StringComparison.Ordinal);
            var destination = to < 0 ? string.Empty : line[(to + 4)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
            foreach (var port in PortsOf(portText.Trim('{', '}', ' ').Replace(" ", string.Empty, StringComparison.Ordinal), negated: false))
            {
                if (ports.Contains(port))
                {
                    yield return new DnatRule(port, destination, line);
                }
            }
        }
    }

    private static string? ValueAfter(string[] words, string option)
    {
        var index = Array.IndexOf(words, option);
        return index >= 0 && index + 1 < words.Length ? words[index + 1] : null;
    }

    private static bool IsNegated(string[] words, string option)
    {
        var index = Array.IndexOf(words, option);
        return index > 0 && words[index - 1] == "!";
    }

    private static bool IsOtherProtocol(string? protocol) => protocol is not null and not "tcp" and not "6";

    /// <summary>"8080", "8000:8100" (a range), "80,8080" (multiport); a negated match selects no port we can name.</summary>
    private static IEnumerable<ushort> PortsOf(string? text, bool negated)
    {
        if (text is null || negated)
        {
            yield break;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split(part.Contains(':') ? ':' : '-');
            if (range.Length == 1 && ushort.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var single))
            {
                yield return single;
            }
            else if (range.Length == 2
                     && ushort.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                     && ushort.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high))
            {
                for (int port = low; port <= high; port++)
                {
                    yield return (ushort)port;
                }
            }
        }
    }
}
