using System.Net.NetworkInformation;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Diagnostics.Health;

namespace TcpReplay.Engine.Tests.Diagnostics.Health;

public sealed class HostChecksTests
{
    [Theory]
    [InlineData(true, true, true, HealthStatus.Pass)]
    [InlineData(false, true, true, HealthStatus.Pass)]
    [InlineData(true, true, false, HealthStatus.Warning)]
    [InlineData(true, false, true, HealthStatus.Fail)]
    [InlineData(true, false, false, HealthStatus.Fail)]
    [InlineData(false, false, false, HealthStatus.Fail)]
    public void CapabilitiesDecidePrivilegesNotTheUserId(bool root, bool netRaw, bool netAdmin, HealthStatus expected)
    {
        Assert.Equal(expected, PrivilegesCheck.Decide(root, netRaw, netAdmin).Status);
    }

    [Theory]
    [InlineData("yes\n", null, HealthStatus.Pass)]
    [InlineData("no\n", null, HealthStatus.Warning)]
    [InlineData(null, "Reference ID    : C0A80001\nLeap status     : Normal\n", HealthStatus.Pass)]
    [InlineData(null, "Leap status     : Not synchronised\n", HealthStatus.Warning)]
    [InlineData(null, null, HealthStatus.Warning)]
    [InlineData("", "garbage", HealthStatus.Warning)]
    public void AClockThatIsNotKnownToBeSynchronisedWarnsAndNeverFails(string? timedatectl, string? chrony, HealthStatus expected)
    {
        var (status, detail) = ClockCheck.Decide(timedatectl, chrony);
        Assert.Equal(expected, status);
        Assert.NotEqual(HealthStatus.Fail, status);
        Assert.NotEmpty(detail);
    }

    [Fact]
    public void OffloadsOnAreReportedAsNormalAndHarmlessWithNoAdviceToTurnThemOff()
    {
        var (status, detail) = OffloadCheck.Decide("eth0", 1500, gro: true, lro: false, tso: true, txChecksum: true);
        Assert.Equal(HealthStatus.Pass, status);
        Assert.Contains("TX checksum offload is on for eth0", detail, StringComparison.Ordinal);
        Assert.Contains("computes the IP and TCP checksums of every packet it sends afresh", detail, StringComparison.Ordinal);
        Assert.Contains("GRO, TSO on", detail, StringComparison.Ordinal);
        Assert.Contains("re-segments them to the MTU", detail, StringComparison.Ordinal);
        Assert.Contains("Normal and harmless", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("ethtool -K", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void OffloadsOffPassAndUnknownOffloadsAreSkipped()
    {
        Assert.Equal(HealthStatus.Pass, OffloadCheck.Decide("eth0", 1500, false, false, false, false).Status);
        Assert.Contains("reports are off on eth0:", OffloadCheck.Decide("eth0", 1500, false, false, false, false).Detail, StringComparison.Ordinal);
        Assert.Contains("(the others are not reported)", OffloadCheck.Decide("eth0", 1500, null, null, null, false).Detail, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Skipped, OffloadCheck.Decide("eth0", 1500, null, null, null, null).Status);
    }

    [Theory]
    [InlineData(true, true, HealthStatus.Pass)]
    [InlineData(false, true, HealthStatus.Fail)]
    [InlineData(true, false, HealthStatus.Fail)]
    public void AnInterfaceMustBeUpWithACarrier(bool up, bool carrier, HealthStatus expected)
    {
        var facts = new NetworkInterfaceFacts("eth0", 2, up, 1500, PhysicalAddress.None, [new IPv4Network(0xC6120014, 24)], null, null, null) { HasCarrier = carrier };
        var (status, detail) = InterfaceCheck.Decide(facts);
        Assert.Equal(expected, status);
        Assert.Contains("MTU 1500", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, HealthStatus.Pass)]
    [InlineData(true, HealthStatus.Fail)]
    [InlineData(null, HealthStatus.Warning)]
    public void AnAssistantThatForwardsFails(bool? forwarding, HealthStatus expected)
    {
        Assert.Equal(expected, IpForwardingCheck.Decide(forwarding).Status);
    }
}
