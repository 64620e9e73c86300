using System.Net.NetworkInformation;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class NetworkInterfacesLiveTests
{
    [RootFact]
    public void FindReportsTheInterfaceAsIpAndEthtoolSeeIt()
    {
        using var ns = new TestNamespace();
        ns.AddVeth("trd0", "198.18.0.30/24");
        ns.Exec("ip", "link", "set", "trd0", "mtu", "1400", "address", "02:00:00:00:00:30");
        ns.Exec("ethtool", "-K", "trd0", "gro", "on", "tso", "off");

        var facts = NetworkInterfaces.Find("trd0", ns.Name);

        Assert.NotNull(facts);
        Assert.True(facts.IsUp);
        Assert.True(facts.HasCarrier);
        Assert.Equal(1400, facts.Mtu);
        Assert.Equal("ether", facts.LinkType);
        Assert.Equal(PhysicalAddress.Parse("02-00-00-00-00-30"), facts.MacAddress);
        Assert.Equal([IPv4Network.Parse("198.18.0.30/24")], facts.Addresses);
        Assert.True(facts.GenericReceiveOffload);
        Assert.False(facts.TcpSegmentationOffload);
        Assert.False(facts.LargeReceiveOffload);
    }

    [RootFact]
    public void AnInterfaceWhosePeerIsDownIsUpWithoutCarrier()
    {
        using var ns = new TestNamespace();
        ns.AddVeth("trd0", "198.18.0.30/24");
        ns.Exec("ip", "link", "set", "trd0p", "down");

        var facts = NetworkInterfaces.Find("trd0", ns.Name);

        Assert.NotNull(facts);
        Assert.True(facts.IsUp);
        Assert.False(facts.HasCarrier);
    }

    [RootFact]
    public void ListAndFindByAddressSeeOnlyTheNamespace()
    {
        using var ns = new TestNamespace();
        ns.AddVeth("trd0", "198.18.0.30/24");

        var all = NetworkInterfaces.List(ns.Name);
        var owner = NetworkInterfaces.FindByAddress(IPv4Network.Parse("198.18.0.30").Address, ns.Name);

        Assert.Equal(["lo", "trd0", "trd0p"], all.Select(i => i.Name).Order());
        Assert.Equal("trd0", owner?.Name);
        Assert.Null(NetworkInterfaces.FindByAddress(IPv4Network.Parse("198.18.0.31").Address, ns.Name));
        Assert.Null(NetworkInterfaces.Find("eth0", ns.Name));
    }
}
