using System.Diagnostics;
using System.Net.NetworkInformation;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

/// <summary>ARP between two namespaces joined by a veth pair: the prober at 198.18.0.30, a bystander owning 198.18.0.50.</summary>
public sealed class ArpProbeLiveTests
{
    private static readonly uint Bystander = IPv4Network.Parse("198.18.0.50").Address;
    private static readonly uint Nobody = IPv4Network.Parse("198.18.0.51").Address;

    [RootFact]
    public void TheOwnerAnswersAndAnUnusedAddressGetsNoAnswer()
    {
        using var prober = new TestNamespace();
        using var bystander = new TestNamespace();
        prober.ConnectTo(bystander, "trd0", "198.18.0.30/24", "trd1", "198.18.0.50/24");
        bystander.Exec("ip", "link", "set", "trd1", "address", "02:00:00:00:00:50");

        var clock = Stopwatch.StartNew();
        var answers = ArpProbe.Probe("trd0", [Bystander, Nobody], TimeSpan.FromSeconds(1.5), prober.Name);

        var answer = Assert.Single(answers);
        Assert.Equal(Bystander, answer.Address);
        Assert.Equal(PhysicalAddress.Parse("02-00-00-00-00-50"), answer.Mac);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(5));
    }

    [RootFact]
    public void WhenEveryAddressHasAnsweredTheProbeEndsEarly()
    {
        using var prober = new TestNamespace();
        using var bystander = new TestNamespace();
        prober.ConnectTo(bystander, "trd0", "198.18.0.30/24", "trd1", "198.18.0.50/24");

        var clock = Stopwatch.StartNew();
        var answers = ArpProbe.Probe("trd0", [Bystander], TimeSpan.FromSeconds(10), prober.Name);

        Assert.Single(answers);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Took {clock.Elapsed}.");
    }

    [RootFact]
    public void TwoHostsClaimingOneAddressBothAppear()
    {
        using var prober = new TestNamespace();
        using var first = new TestNamespace();
        using var second = new TestNamespace();
        prober.Exec("ip", "link", "add", "trdbr", "type", "bridge");
        prober.Exec("ip", "link", "set", "trdbr", "up");
        prober.Exec("ip", "addr", "add", "198.18.0.30/24", "dev", "trdbr");
        foreach (var (peer, port) in new[] { (first, "trdp1"), (second, "trdp2") })
        {
            TestNamespace.Run("ip", "-n", prober.Name, "link", "add", port, "type", "veth", "peer", "name", "trd1", "netns", peer.Name);
            prober.Exec("ip", "link", "set", port, "master", "trdbr", "up");
            peer.Exec("ip", "addr", "add", "198.18.0.50/24", "dev", "trd1");
            peer.Exec("ip", "link", "set", "trd1", "up");
        }

        var answers = ArpProbe.Probe("trdbr", [Bystander], TimeSpan.FromSeconds(3), prober.Name);

        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.Equal(Bystander, a.Address));
        Assert.NotEqual(answers[0].Mac, answers[1].Mac);
    }

    [RootFact]
    public void AnInterfaceThatDoesNotExistIsNamedInTheException()
    {
        using var prober = new TestNamespace();

        var exception = Assert.Throws<NetworkInterfaceNotFoundException>(
            () => ArpProbe.Probe("trd9", [Bystander], TimeSpan.FromSeconds(1), prober.Name));

        Assert.Equal("trd9", exception.InterfaceName);
    }

    [RootFact]
    public void LoopbackIsRefusedAsNotEthernet()
    {
        using var prober = new TestNamespace();

        var exception = Assert.Throws<ArpProbeException>(() => ArpProbe.Probe("lo", [Bystander], TimeSpan.FromSeconds(1), prober.Name));

        Assert.Contains("Ethernet", exception.Message);
    }
}
