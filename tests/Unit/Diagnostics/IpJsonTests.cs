using System.Net.NetworkInformation;
using System.Text.Json;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class IpJsonTests
{
    [Fact]
    public void RouteShowGivesEveryIPv4RouteWithItsMembers()
    {
        var routes = IpJson.ParseRoutes(Fixture.Read("ip-route-show.json"));

        Assert.Equal(
            [
                new RouteEntry("default", "198.18.0.1", "eth1", "dhcp", 50, null, "main"),
                new RouteEntry("198.18.0.0/24", null, "eth1", "kernel", null, "198.18.0.30", "main"),
                new RouteEntry("198.18.5.0/28", null, "eth1", "kernel", null, "198.18.5.1", "main"),
                new RouteEntry("198.19.0.0/16", "198.18.0.40", "eth1", null, null, null, "main"),
                new RouteEntry("198.20.0.0/16", "198.18.0.41", "eth1", "static", 100, null, "main"),
                new RouteEntry("198.21.0.0/16", null, null, null, null, null, "main", "blackhole"),
                new RouteEntry("198.22.0.7", "198.18.0.40", "eth1", null, null, null, "main"),
            ],
            routes);
    }

    [Fact]
    public void RouteGetThroughAGatewayNamesGatewayDeviceAndSource()
    {
        var route = Assert.Single(IpJson.ParseRoutes(Fixture.Read("ip-route-get-via-gateway.json")));

        Assert.Equal(new RouteEntry("198.19.5.5", "198.18.0.40", "eth1", null, null, "198.18.0.30", "main"), route);
    }

    [Fact]
    public void RouteGetOfAConnectedHostHasNoGateway()
    {
        var route = Assert.Single(IpJson.ParseRoutes(Fixture.Read("ip-route-get-connected.json")));

        Assert.Null(route.Gateway);
        Assert.Equal("eth1", route.Device);
        Assert.Equal(RouteEntry.Unicast, route.Type);
    }

    [Fact]
    public void RouteGetOfAnOwnAddressIsALocalRouteInTheLocalTable()
    {
        var route = Assert.Single(IpJson.ParseRoutes(Fixture.Read("ip-route-get-local.json")));

        Assert.Equal(RouteEntry.Local, route.Type);
        Assert.Equal("local", route.Table);
        Assert.Equal("lo", route.Device);
    }

    [Fact]
    public void RouteGetOfABroadcastAddressKeepsItsType()
    {
        var route = Assert.Single(IpJson.ParseRoutes(Fixture.Read("ip-route-get-broadcast.json")));

        Assert.Equal("broadcast", route.Type);
    }

    [Fact]
    public void TableMemberOverridesTheDefaultAndIPv6RoutesAreSkipped()
    {
        const string json = """
            [{"dst":"198.19.0.0/16","gateway":"198.18.0.40","dev":"eth1","table":"100","flags":[]},
             {"dst":"2001:db8::/64","dev":"eth1","protocol":"kernel","metric":256,"flags":[]},
             {"dst":"198.20.0.0/16","protocol":"boot","metric":0,"dev":"eth1","flags":[],"unknown":{"x":1}}]
            """;

        var routes = IpJson.ParseRoutes(json);

        Assert.Equal(
            [
                new RouteEntry("198.19.0.0/16", "198.18.0.40", "eth1", null, null, null, "100"),
                new RouteEntry("198.20.0.0/16", null, "eth1", null, null, null, "main"),
            ],
            routes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    public void EmptyOutputMeansNoRoutes(string json)
    {
        Assert.Empty(IpJson.ParseRoutes(json));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[{\"dst\":")]
    [InlineData("RTNETLINK answers: Network is unreachable")]
    public void OutputThatIsNotAnArrayIsAJsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => IpJson.ParseRoutes(json));
    }

    [Fact]
    public void AddrShowGivesEachInterfaceWithItsIPv4AddressesOnly()
    {
        var interfaces = IpJson.ParseInterfaces(Fixture.Read("ip-addr-show.json"));

        Assert.Equal(["lo", "eth1p", "eth1", "tunxp", "tunx"], interfaces.Select(i => i.Name));
        var eth1 = interfaces[2];
        Assert.Equal(3, eth1.Index);
        Assert.True(eth1.IsUp);
        Assert.True(eth1.HasCarrier);
        Assert.Equal(1400, eth1.Mtu);
        Assert.Equal("ether", eth1.LinkType);
        Assert.Equal(PhysicalAddress.Parse("06-AA-0E-4E-C9-93"), eth1.MacAddress);
        Assert.Equal([IPv4Network.Parse("198.18.0.30/24"), IPv4Network.Parse("198.18.5.1/28")], eth1.Addresses);
        Assert.Null(eth1.GenericReceiveOffload);
    }

    [Fact]
    public void AnInterfaceThatIsDownHasNoUpFlagNorCarrier()
    {
        var tunx = IpJson.ParseInterfaces(Fixture.Read("ip-addr-show.json")).Single(i => i.Name == "tunx");

        Assert.False(tunx.IsUp);
        Assert.False(tunx.HasCarrier);
        Assert.Empty(tunx.Addresses);
    }

    [Fact]
    public void LoopbackKeepsItsAddressAndLinkType()
    {
        var lo = IpJson.ParseInterfaces(Fixture.Read("ip-addr-show.json"))[0];

        Assert.Equal("loopback", lo.LinkType);
        Assert.Equal(65536, lo.Mtu);
        Assert.Equal([IPv4Network.Parse("127.0.0.1/8")], lo.Addresses);
    }

    [Fact]
    public void ALinkWithoutAddressHasNoMac()
    {
        const string json = """
            [{"ifindex":7,"ifname":"tun0","flags":["POINTOPOINT","UP","LOWER_UP"],"mtu":1500,"link_type":"none",
              "addr_info":[{"family":"inet","local":"198.18.9.1","prefixlen":32}]}]
            """;

        var tun = Assert.Single(IpJson.ParseInterfaces(json));

        Assert.Null(tun.MacAddress);
        Assert.Equal("none", tun.LinkType);
        Assert.Equal([IPv4Network.Parse("198.18.9.1")], tun.Addresses);
    }

    [Fact]
    public void MalformedAddressEntriesAreSkippedNotFatal()
    {
        const string json = """
            [{"ifindex":2,"ifname":"eth0","flags":[],"mtu":1500,"address":"zz","addr_info":[
              {"family":"inet","local":"198.18.0.300","prefixlen":24},
              {"family":"inet","local":"198.18.0.3","prefixlen":40},
              {"family":"inet","local":"198.18.0.4"},
              {"family":"inet","local":"198.18.0.5","prefixlen":24}]},
             {"ifname":"noindex"}]
            """;

        var eth0 = Assert.Single(IpJson.ParseInterfaces(json));

        Assert.Null(eth0.MacAddress);
        Assert.Equal([IPv4Network.Parse("198.18.0.5/24")], eth0.Addresses);
    }
}
