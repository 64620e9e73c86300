using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class RoutePlannerTests
{
    private static readonly IPv4Network FakeClients = IPv4Network.Parse("198.19.0.0/16");
    private static readonly uint Assistant = IPv4Network.Parse("198.18.0.40").Address;
    private static readonly uint OtherAssistant = IPv4Network.Parse("198.18.0.41").Address;

    private static RouteEntry Via(string gateway, string device = "eth1", int? metric = null, string destination = "198.19.0.0/16") =>
        new(destination, gateway, device, null, metric, null, "main");

    [Theory]
    [InlineData("198.19.0.0/16", "198.19.0.0/16")]
    [InlineData("198.19.7.7/16", "198.19.0.0/16")]
    [InlineData("198.18.0.50", "198.18.0.50")]
    [InlineData("0.0.0.0/0", "default")]
    public void DestinationTextIsHowIpPrintsThePrefix(string network, string expected)
    {
        Assert.Equal(expected, RoutePlanner.DestinationText(IPv4Network.Parse(network)));
    }

    [Fact]
    public void EnsureAddsWhenThePrefixHasNoRoute()
    {
        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", []);

        Assert.Equal(RouteChangeKind.Added, plan.Kind);
        Assert.Null(plan.Before);
        Assert.Equal(["route", "add", "198.19.0.0/16", "via", "198.18.0.40", "dev", "eth1"], plan.Arguments);
        Assert.Equal(Via("198.18.0.40"), plan.After);
    }

    [Fact]
    public void EnsureLeavesAnIdenticalRouteUnchangedAndRunsNothing()
    {
        var existing = Via("198.18.0.40") with { Protocol = "static", Metric = 10 };

        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", [existing]);

        Assert.Equal(RouteChangeKind.Unchanged, plan.Kind);
        Assert.Empty(plan.Arguments);
        Assert.Same(existing, plan.Before);
        Assert.Same(existing, plan.After);
    }

    [Fact]
    public void EnsureReplacesARouteThroughAnotherGateway()
    {
        var existing = Via("198.18.0.41");

        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", [existing]);

        Assert.Equal(RouteChangeKind.Replaced, plan.Kind);
        Assert.Same(existing, plan.Before);
        Assert.Equal(["route", "replace", "198.19.0.0/16", "via", "198.18.0.40", "dev", "eth1"], plan.Arguments);
    }

    [Fact]
    public void EnsureReplacesARouteThroughTheSameGatewayOnAnotherDevice()
    {
        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", [Via("198.18.0.40", device: "eth2")]);

        Assert.Equal(RouteChangeKind.Replaced, plan.Kind);
    }

    [Fact]
    public void EnsureReplacesABlackholeForThePrefix()
    {
        var blackhole = new RouteEntry("198.19.0.0/16", null, null, null, null, null, "main", "blackhole");

        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", [blackhole]);

        Assert.Equal(RouteChangeKind.Replaced, plan.Kind);
        Assert.Equal("replace", plan.Arguments[1]);
    }

    [Fact]
    public void EnsureReplacesTheWinningRouteAtItsOwnMetricSoItIsNotShadowed()
    {
        var winner = Via("198.18.0.41", metric: 100);
        var loser = Via("198.18.0.42", metric: 200);

        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", [loser, winner]);

        Assert.Equal(RouteChangeKind.Replaced, plan.Kind);
        Assert.Same(winner, plan.Before);
        Assert.Equal(["route", "replace", "198.19.0.0/16", "via", "198.18.0.40", "dev", "eth1", "metric", "100"], plan.Arguments);
        Assert.Equal(100, plan.After!.Metric);
    }

    [Fact]
    public void EnsureIsUnchangedWhenTheWinningRouteMatchesEvenIfAWorseOneDiffers()
    {
        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", [Via("198.18.0.41", metric: 5), Via("198.18.0.40")]);

        Assert.Equal(RouteChangeKind.Unchanged, plan.Kind);
    }

    [Fact]
    public void RoutesForOtherPrefixesOrTablesDoNotCount()
    {
        var wider = Via("198.18.0.41", destination: "198.18.0.0/15");
        var otherTable = Via("198.18.0.41") with { Table = "100" };

        var plan = RoutePlanner.PlanEnsure(FakeClients, Assistant, "eth1", [wider, otherTable]);

        Assert.Equal(RouteChangeKind.Added, plan.Kind);
    }

    [Fact]
    public void EnsureOfAHostRouteUsesTheBareAddressAsIpPrintsIt()
    {
        var host = IPv4Network.Parse("198.19.0.7");

        var plan = RoutePlanner.PlanEnsure(host, Assistant, "eth1", [Via("198.18.0.40", destination: "198.19.0.7")]);

        Assert.Equal(RouteChangeKind.Unchanged, plan.Kind);
    }

    [Fact]
    public void RemoveDeletesTheRouteThroughTheGivenGatewayWithItsDeviceAndMetric()
    {
        var target = Via("198.18.0.40", metric: 100);

        var plan = RoutePlanner.PlanRemove(FakeClients, Assistant, [Via("198.18.0.41"), target]);

        Assert.Equal(RouteChangeKind.Removed, plan.Kind);
        Assert.Same(target, plan.Before);
        Assert.Equal(["route", "del", "198.19.0.0/16", "via", "198.18.0.40", "dev", "eth1", "metric", "100"], plan.Arguments);
        Assert.Equal(Via("198.18.0.41"), plan.After);
    }

    [Fact]
    public void RemoveWithoutGatewayDeletesTheWinningRouteThroughAnyGateway()
    {
        var plan = RoutePlanner.PlanRemove(FakeClients, null, [Via("198.18.0.41", metric: 20), Via("198.18.0.42", metric: 10)]);

        Assert.Equal(RouteChangeKind.Removed, plan.Kind);
        Assert.Equal("198.18.0.42", plan.Before!.Gateway);
        Assert.Equal(["route", "del", "198.19.0.0/16", "via", "198.18.0.42", "dev", "eth1", "metric", "10"], plan.Arguments);
    }

    [Fact]
    public void RemoveIsAbsentWhenNoRouteGoesThroughTheGateway()
    {
        var other = Via("198.18.0.41");

        var plan = RoutePlanner.PlanRemove(FakeClients, Assistant, [other]);

        Assert.Equal(RouteChangeKind.Absent, plan.Kind);
        Assert.Null(plan.Before);
        Assert.Same(other, plan.After);
        Assert.Empty(plan.Arguments);
    }

    [Fact]
    public void RemoveNeverTakesAConnectedRouteOrABlackhole()
    {
        var connected = new RouteEntry("198.19.0.0/16", null, "eth1", "kernel", null, "198.19.0.1", "main");
        var blackhole = new RouteEntry("198.19.0.0/16", null, null, null, 5, null, "main", "blackhole");

        var plan = RoutePlanner.PlanRemove(FakeClients, null, [connected, blackhole]);

        Assert.Equal(RouteChangeKind.Absent, plan.Kind);
        Assert.Empty(plan.Arguments);
    }

    [Fact]
    public void AGatewayOnADirectlyConnectedNetworkIsAccepted()
    {
        var kernelRoute = new RouteEntry("198.18.0.40", null, "eth1", null, null, "198.18.0.30", "main");

        Assert.Null(RoutePlanner.CheckGateway(kernelRoute, null));
        Assert.Null(RoutePlanner.CheckGateway(kernelRoute, "eth1"));
    }

    [Fact]
    public void AGatewayTheKernelCannotReachIsNoRoute()
    {
        Assert.Equal(GatewayProblem.NoRoute, RoutePlanner.CheckGateway(null, null));
    }

    [Fact]
    public void AGatewayBehindARouterIsRefused()
    {
        var kernelRoute = new RouteEntry("198.18.1.40", "198.18.0.1", "eth1", null, null, "198.18.0.30", "main");

        Assert.Equal(GatewayProblem.ViaAnotherGateway, RoutePlanner.CheckGateway(kernelRoute, null));
    }

    [Fact]
    public void AnOwnAddressAsGatewayIsRefused()
    {
        var kernelRoute = new RouteEntry("198.18.0.30", null, "lo", null, null, "198.18.0.30", "local", RouteEntry.Local);

        Assert.Equal(GatewayProblem.LocalAddress, RoutePlanner.CheckGateway(kernelRoute, null));
    }

    [Fact]
    public void ABroadcastAddressAsGatewayIsRefused()
    {
        var kernelRoute = new RouteEntry("198.18.0.255", null, "eth1", null, null, "198.18.0.30", "local", "broadcast");

        Assert.Equal(GatewayProblem.NotUnicast, RoutePlanner.CheckGateway(kernelRoute, null));
    }

    [Fact]
    public void AGatewayConnectedThroughAnotherInterfaceThanTheOneAskedIsRefused()
    {
        var kernelRoute = new RouteEntry("198.18.0.40", null, "eth1", null, null, "198.18.0.30", "main");

        Assert.Equal(GatewayProblem.OtherDevice, RoutePlanner.CheckGateway(kernelRoute, "eth2"));
    }

    [Fact]
    public void TheRefusalExplainsTheRouterAndSaysHowToFixIt()
    {
        var kernelRoute = new RouteEntry("198.18.1.40", "198.18.0.1", "eth1", null, null, "198.18.0.30", "main");

        var exception = new GatewayNotOnLinkException(IPv4Network.Parse("198.18.1.40").Address, null, GatewayProblem.ViaAnotherGateway, kernelRoute);

        Assert.Contains("198.18.1.40", exception.Message);
        Assert.Contains("198.18.0.1", exception.Message);
        Assert.Contains("directly connected", exception.Remedy);
    }
}
