using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Live;

/// <summary>Where a fake client network collides with a network the copy depends on.</summary>
public enum FakeAddressConflict
{
    /// <summary>The fake network overlaps a network of the online host itself.</summary>
    InOnlineSubnet,

    /// <summary>The fake network overlaps the target's own segment: its hosts are on-link for the target, which ARPs for them instead of routing via the assistant.</summary>
    InTargetSubnet,
}

public sealed record FakeAddressFinding(FakeAddressConflict Conflict, IPv4Network FakeNetwork, IPv4Network LocalNetwork, string Interface);

/// <summary>
/// Finds fake client networks that cannot work as such: tcpcopy's users lost days to fake addresses that were
/// real hosts on the target's segment, which answer the target's SYN-ACK with RST.
/// </summary>
public static class FakeAddressCheck
{
    /// <summary>Checks the fake networks against the online host's own networks; the one holding the target is the target's segment.</summary>
    public static IReadOnlyList<FakeAddressFinding> Evaluate(IEnumerable<IPv4Network> fakeNetworks, IEnumerable<uint> targetAddresses)
    {
        var findings = new List<FakeAddressFinding>();
        var targets = targetAddresses.ToArray();
        foreach (var nic in NetworkInterfaces.List())
        {
            foreach (var local in nic.Addresses)
            {
                var isTargetSegment = targets.Any(local.Contains);
                foreach (var fake in fakeNetworks)
                {
                    if (fake.Overlaps(local))
                    {
                        findings.Add(new FakeAddressFinding(isTargetSegment ? FakeAddressConflict.InTargetSubnet : FakeAddressConflict.InOnlineSubnet, fake, local, nic.Name));
                    }
                }
            }
        }

        return findings;
    }

    /// <summary>Fake addresses on a directly connected segment that answer ARP: real hosts own them.</summary>
    public static IReadOnlySet<uint> FindBystanders(IReadOnlyList<FakeAddressFinding> findings, int maxAddressesPerNetwork = 256)
    {
        var result = new HashSet<uint>();
        foreach (var group in findings.GroupBy(f => f.Interface))
        {
            var candidates = new List<uint>();
            foreach (var finding in group)
            {
                for (long i = 0; i < finding.FakeNetwork.Count && i < maxAddressesPerNetwork; i++)
                {
                    var address = finding.FakeNetwork[i];
                    if (finding.LocalNetwork.Contains(address))
                    {
                        candidates.Add(address);
                    }
                }
            }

            foreach (var answer in ArpProbe.Probe(group.Key, candidates, TimeSpan.FromMilliseconds(500)))
            {
                result.Add(answer.Address);
            }
        }

        return result;
    }
}
