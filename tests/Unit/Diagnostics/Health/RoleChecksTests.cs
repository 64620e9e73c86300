using System.Net.NetworkInformation;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Diagnostics.Health;

namespace TcpReplay.Engine.Tests.Diagnostics.Health;

public sealed class RoleChecksTests
{
    private const uint Target = 0xC612001E;    // 198.18.0.30
    private const uint Assistant = 0xC6120028; // 198.18.0.40
    private static readonly IPv4Network Fake = new(0xC6130000, 24);
    private static readonly DnatRule Docker = new(8080, "172.17.0.2:80", "-A DOCKER -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80");

    private static RouteEntry Via(string gateway, string device) => new("198.19.0.1", gateway, device, null, null, null, "main");

    private static RouteEntry OnLink(string device) => new("198.19.0.1", null, device, null, null, null, "main");

    [Theory]
    [InlineData(CaptureMode.RawSocket, HealthStatus.Fail)]
    [InlineData(CaptureMode.Auto, HealthStatus.Pass)]
    [InlineData(CaptureMode.Pcap, HealthStatus.Pass)]
    public void ADnatedPortFailsOnlyARawSocketCapture(CaptureMode mode, HealthStatus expected)
    {
        var (status, detail, remedy) = CaptureLayerCheck.Decide(mode, [8080], [Docker]);
        Assert.Equal(expected, status);
        Assert.Contains("DNAT to 172.17.0.2:80", detail, StringComparison.Ordinal);
        Assert.Equal(expected == HealthStatus.Fail, remedy?.Contains("-CaptureMode Pcap", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void APortWithoutDnatIsSeenByTheIpLayer()
    {
        Assert.Equal(HealthStatus.Pass, CaptureLayerCheck.Decide(CaptureMode.RawSocket, [8080], []).Status);
    }

    [Fact]
    public void AnOnlinePortIsServedWhenItListensOrIsDnatedAndFailsOtherwise()
    {
        var transfer = new Transfer(0, 8080, Target, 8080);
        Assert.Equal(HealthStatus.Pass, ServiceListeningCheck.Decide([transfer], [("0.0.0.0", 8080)], []).Status);
        Assert.Equal(HealthStatus.Pass, ServiceListeningCheck.Decide([transfer], [], [Docker]).Status);
        Assert.Equal(HealthStatus.Fail, ServiceListeningCheck.Decide([transfer], [("0.0.0.0", 8081)], []).Status);
    }

    [Fact]
    public void TheFakeNetworkMustRouteViaTheAssistant()
    {
        Assert.Equal(HealthStatus.Pass, FakeRouteCheck.Decide(Fake, Fake[0], Via("198.18.0.40", "eth0"), Assistant).Status);
        Assert.Equal(HealthStatus.Fail, FakeRouteCheck.Decide(Fake, Fake[0], Via("198.18.0.1", "eth0"), Assistant).Status);
        Assert.Equal(HealthStatus.Fail, FakeRouteCheck.Decide(Fake, Fake[0], OnLink("eth0"), Assistant).Status);
        Assert.Equal(HealthStatus.Fail, FakeRouteCheck.Decide(Fake, Fake[0], null, Assistant).Status);
        Assert.Equal(HealthStatus.Fail, FakeRouteCheck.Decide(Fake, Fake[0], Via("198.18.0.40", "eth0") with { Type = "blackhole" }, Assistant).Status);
        Assert.Equal(HealthStatus.Warning, FakeRouteCheck.Decide(Fake, Fake[0], Via("198.18.0.40", "eth0"), null).Status);
    }

    [Theory]
    [InlineData(null, "eth1", HealthStatus.Pass)]
    [InlineData(0, "eth1", HealthStatus.Pass)]
    [InlineData(1, "eth0", HealthStatus.Pass)]
    [InlineData(1, "eth1", HealthStatus.Fail)]
    [InlineData(2, "eth1", HealthStatus.Pass)]
    public void StrictReversePathFilteringFailsWhenTheRouteBackLeavesByAnotherInterface(int? rpFilter, string reverseDevice, HealthStatus expected)
    {
        Assert.Equal(expected, ReversePathFilterCheck.Decide("eth0", rpFilter, Via("198.18.0.40", reverseDevice), Fake).Status);
    }

    [Theory]
    [InlineData(1, HealthStatus.Fail)]
    [InlineData(2, HealthStatus.Fail)]
    [InlineData(0, HealthStatus.Pass)]
    public void WithoutARouteBackAnyReversePathFilteringDrops(int rpFilter, HealthStatus expected)
    {
        Assert.Equal(expected, ReversePathFilterCheck.Decide("eth0", rpFilter, null, Fake).Status);
    }

    [Fact]
    public void AFakeAddressThatAnswersArpFailsWithTheHostRouteThatFixesIt()
    {
        var onLink = new Dictionary<string, List<uint>> { ["eth0"] = [0xC6120032] };
        var answer = new ArpAnswer(0xC6120032, PhysicalAddress.Parse("02-00-C6-12-00-32"));
        var (status, detail, remedy) = FakeAddressOwnerCheck.Decide(onLink, [answer], Assistant);
        Assert.Equal(HealthStatus.Fail, status);
        Assert.Contains("198.18.0.50 at 02:00:c6:12:00:32", detail, StringComparison.Ordinal);
        Assert.EndsWith("Set-TargetRoute -FakeClientNetwork 198.18.0.50/32 -Assistant 198.18.0.40", remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void OnLinkFakeAddressesThatNobodyClaimsOnlyWarn()
    {
        var onLink = new Dictionary<string, List<uint>> { ["eth0"] = [0xC6120033] };
        Assert.Equal(HealthStatus.Warning, FakeAddressOwnerCheck.Decide(onLink, [], Assistant).Status);
    }

    [Fact]
    public void TheFirstUsableAddressesOfEachFakeNetworkAreProbedUpToTheLimit()
    {
        Assert.Equal([0xC6130001u, 0xC6130002u], FakeAddressOwnerCheck.FirstAddresses([Fake], 2));
        Assert.Equal([0xC6120032u], FakeAddressOwnerCheck.FirstAddresses([new IPv4Network(0xC6120032, 32)], 16));
    }

    [Fact]
    public void TheAssistantMustCaptureOnTheInterfaceThatReachesTheTarget()
    {
        Assert.Equal(HealthStatus.Pass, ResponseCaptureCheck.Decide(Target, OnLink("eth0"), "eth0").Status);
        Assert.Equal(HealthStatus.Pass, ResponseCaptureCheck.Decide(Target, OnLink("eth0"), null).Status);
        Assert.Equal(HealthStatus.Fail, ResponseCaptureCheck.Decide(Target, OnLink("eth0"), "eth1").Status);
        Assert.Equal(HealthStatus.Fail, ResponseCaptureCheck.Decide(Target, null, "eth0").Status);
        Assert.Equal(HealthStatus.Warning, ResponseCaptureCheck.Decide(Target, Via("198.18.0.1", "eth0"), "eth0").Status);
    }
}
