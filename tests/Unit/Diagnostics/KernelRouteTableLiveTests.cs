using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

/// <summary>
/// KernelRouteTable against a real kernel, each test in a namespace of its own: the target at 198.18.0.30/24 on trd0, the
/// assistant's address 198.18.0.40 on that segment, the fake client network 198.19.0.0/16.
/// </summary>
public sealed class KernelRouteTableLiveTests
{
    private static readonly IPv4Network FakeClients = IPv4Network.Parse("198.19.0.0/16");
    private static readonly uint Assistant = IPv4Network.Parse("198.18.0.40").Address;
    private static readonly uint OtherAssistant = IPv4Network.Parse("198.18.0.41").Address;

    private static TestNamespace Target()
    {
        var ns = new TestNamespace();
        try
        {
            ns.AddVeth("trd0", "198.18.0.30/24");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    private static string ShowFakeClientRoutes(TestNamespace ns) => ns.Exec("ip", "route", "show", "exact", "198.19.0.0/16");

    [RootFact]
    public void EnsureAddsThenReportsUnchanged()
    {
        using var ns = Target();

        var first = KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: false, ns.Name);
        var second = KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: false, ns.Name);

        Assert.Equal(RouteChangeKind.Added, first.Kind);
        Assert.Equal($"ip netns exec {ns.Name} ip route add 198.19.0.0/16 via 198.18.0.40 dev trd0", first.Command);
        Assert.Equal(new RouteEntry("198.19.0.0/16", "198.18.0.40", "trd0", null, null, null, "main"), first.After);
        Assert.Equal(RouteChangeKind.Unchanged, second.Kind);
        Assert.Equal(string.Empty, second.Command);
        Assert.Equal("198.19.0.0/16 via 198.18.0.40 dev trd0 \n", ShowFakeClientRoutes(ns));
    }

    [RootFact]
    public void EnsureReplacesARouteThroughAnotherGateway()
    {
        using var ns = Target();
        KernelRouteTable.Ensure(FakeClients, OtherAssistant, null, whatIf: false, ns.Name);

        var change = KernelRouteTable.Ensure(FakeClients, Assistant, "trd0", whatIf: false, ns.Name);

        Assert.Equal(RouteChangeKind.Replaced, change.Kind);
        Assert.Equal("198.18.0.41", change.Before?.Gateway);
        Assert.Equal("198.18.0.40", change.After?.Gateway);
        Assert.Equal("198.19.0.0/16 via 198.18.0.40 dev trd0 \n", ShowFakeClientRoutes(ns));
    }

    [RootFact]
    public void EnsureReplacesABlackholeAndAMetricRouteInPlace()
    {
        using var ns = Target();
        ns.Exec("ip", "route", "add", "blackhole", "198.19.0.0/16");
        ns.Exec("ip", "route", "add", "198.20.0.0/16", "via", "198.18.0.41", "metric", "100");

        var blackhole = KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: false, ns.Name);
        var metric = KernelRouteTable.Ensure(IPv4Network.Parse("198.20.0.0/16"), Assistant, null, whatIf: false, ns.Name);

        Assert.Equal(RouteChangeKind.Replaced, blackhole.Kind);
        Assert.Equal("198.19.0.0/16 via 198.18.0.40 dev trd0 \n", ShowFakeClientRoutes(ns));
        Assert.Equal(RouteChangeKind.Replaced, metric.Kind);
        Assert.Equal("198.20.0.0/16 via 198.18.0.40 dev trd0 metric 100 \n", ns.Exec("ip", "route", "show", "exact", "198.20.0.0/16"));
    }

    [RootFact]
    public void WhatIfPredictsTheChangeAndChangesNothing()
    {
        using var ns = Target();
        var before = KernelRouteTable.List(ns.Name);

        var added = KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: true, ns.Name);

        Assert.Equal(RouteChangeKind.Added, added.Kind);
        Assert.Equal(before, KernelRouteTable.List(ns.Name));
        var real = KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: false, ns.Name);
        Assert.Equal(real.After, added.After);
        Assert.Equal(real.Command, added.Command);

        var replaced = KernelRouteTable.Ensure(FakeClients, OtherAssistant, null, whatIf: true, ns.Name);
        var removed = KernelRouteTable.Remove(FakeClients, null, whatIf: true, ns.Name);

        Assert.Equal(RouteChangeKind.Replaced, replaced.Kind);
        Assert.Equal(RouteChangeKind.Removed, removed.Kind);
        Assert.Equal("198.19.0.0/16 via 198.18.0.40 dev trd0 \n", ShowFakeClientRoutes(ns));
    }

    [RootFact]
    public void RemoveDeletesThenReportsAbsent()
    {
        using var ns = Target();
        KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: false, ns.Name);

        var removed = KernelRouteTable.Remove(FakeClients, Assistant, whatIf: false, ns.Name);
        var again = KernelRouteTable.Remove(FakeClients, Assistant, whatIf: false, ns.Name);

        Assert.Equal(RouteChangeKind.Removed, removed.Kind);
        Assert.Equal($"ip netns exec {ns.Name} ip route del 198.19.0.0/16 via 198.18.0.40 dev trd0 metric 0", removed.Command);
        Assert.Null(removed.After);
        Assert.Equal(RouteChangeKind.Absent, again.Kind);
        Assert.Equal(string.Empty, ShowFakeClientRoutes(ns));
    }

    [RootFact]
    public void RemoveThroughAnotherGatewayLeavesTheRouteAlone()
    {
        using var ns = Target();
        KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: false, ns.Name);

        var change = KernelRouteTable.Remove(FakeClients, OtherAssistant, whatIf: false, ns.Name);

        Assert.Equal(RouteChangeKind.Absent, change.Kind);
        Assert.Equal("198.18.0.40", change.After?.Gateway);
        Assert.Equal("198.19.0.0/16 via 198.18.0.40 dev trd0 \n", ShowFakeClientRoutes(ns));
    }

    [RootFact]
    public void RemoveTakesOnlyTheRouteOfItsMetric()
    {
        using var ns = Target();
        ns.Exec("ip", "route", "add", "198.19.0.0/16", "via", "198.18.0.41", "metric", "100");
        ns.Exec("ip", "route", "add", "198.19.0.0/16", "via", "198.18.0.40", "metric", "200");

        var change = KernelRouteTable.Remove(FakeClients, Assistant, whatIf: false, ns.Name);

        Assert.Equal(RouteChangeKind.Removed, change.Kind);
        Assert.Equal("198.19.0.0/16 via 198.18.0.41 dev trd0 metric 100 \n", ShowFakeClientRoutes(ns));
    }

    [RootFact]
    public void AGatewayOffTheSegmentIsRefusedBeforeAnythingRuns()
    {
        using var ns = Target();
        var behindRouter = IPv4Network.Parse("198.18.1.40").Address;

        var noRoute = Assert.Throws<GatewayNotOnLinkException>(() => KernelRouteTable.Ensure(FakeClients, behindRouter, null, whatIf: true, ns.Name));
        ns.Exec("ip", "route", "add", "default", "via", "198.18.0.1");
        var viaRouter = Assert.Throws<GatewayNotOnLinkException>(() => KernelRouteTable.Ensure(FakeClients, behindRouter, null, whatIf: false, ns.Name));
        var own = Assert.Throws<GatewayNotOnLinkException>(
            () => KernelRouteTable.Ensure(FakeClients, IPv4Network.Parse("198.18.0.30").Address, null, whatIf: false, ns.Name));

        Assert.Equal(GatewayProblem.NoRoute, noRoute.Problem);
        Assert.Equal(GatewayProblem.ViaAnotherGateway, viaRouter.Problem);
        Assert.Equal("198.18.0.1", viaRouter.KernelRoute?.Gateway);
        Assert.Equal(GatewayProblem.LocalAddress, own.Problem);
        Assert.Equal(string.Empty, ShowFakeClientRoutes(ns));
    }

    [RootFact]
    public void AnInterfaceOtherThanTheGatewaysIsRefused()
    {
        using var ns = Target();
        ns.AddVeth("trd1", "198.18.2.30/24");

        var exception = Assert.Throws<GatewayNotOnLinkException>(() => KernelRouteTable.Ensure(FakeClients, Assistant, "trd1", whatIf: false, ns.Name));

        Assert.Equal(GatewayProblem.OtherDevice, exception.Problem);
    }

    [RootFact]
    public void AFailingIpCommandCarriesIpsOwnMessage()
    {
        var exception = Assert.Throws<RouteCommandException>(() => KernelRouteTable.List("trdnosuchnamespace"));

        Assert.NotNull(exception.ExitCode);
        Assert.NotEqual(0, exception.ExitCode);
        Assert.Contains("trdnosuchnamespace", exception.StandardError);
        Assert.Equal("ip netns exec trdnosuchnamespace ip -j route show table main", exception.Command);
    }

    [RootFact]
    public void LookupGivesTheKernelsChoice()
    {
        using var ns = Target();
        KernelRouteTable.Ensure(FakeClients, Assistant, null, whatIf: false, ns.Name);

        var fake = KernelRouteTable.Lookup(FakeClients[4], ns.Name);
        var connected = KernelRouteTable.Lookup(Assistant, ns.Name);
        var nowhere = KernelRouteTable.Lookup(IPv4Network.Parse("198.18.200.1").Address, ns.Name);

        Assert.Equal(new RouteEntry("198.19.0.5", "198.18.0.40", "trd0", null, null, "198.18.0.30", "main"), fake);
        Assert.Null(connected?.Gateway);
        Assert.Equal("trd0", connected?.Device);
        Assert.Null(nowhere);
    }
}
