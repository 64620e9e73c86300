using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class PrivilegesTests
{
    // Recorded from /proc/self/status: root in a container, and a user whose binary has cap_net_raw+ep.
    private const string RootStatus = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
        + "CapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n";

    private const string RawOnlyUserStatus = "Name:\tdumpcap\nUid:\t1000\t1000\t1000\t1000\n"
        + "CapInh:\t0000000000000000\nCapPrm:\t0000000000002000\nCapEff:\t0000000000002000\n";

    [Fact]
    public void EffectiveCapabilitiesAreReadFromCapEffNotCapPrm()
    {
        const string status = "CapPrm:\t0000000000003000\nCapEff:\t0000000000001000\n";

        Assert.True(Privileges.TryParseEffectiveCapabilities(status, out var effective));
        Assert.Equal(0x1000UL, effective);
        Assert.True(Privileges.HasCapability(effective, LinuxCapability.NetAdmin));
        Assert.False(Privileges.HasCapability(effective, LinuxCapability.NetRaw));
    }

    [Fact]
    public void RootStatusHoldsNetAdminAndNetRaw()
    {
        Assert.True(Privileges.TryParseEffectiveCapabilities(RootStatus, out var effective));
        Assert.True(Privileges.HasCapability(effective, LinuxCapability.NetAdmin));
        Assert.True(Privileges.HasCapability(effective, LinuxCapability.NetRaw));
        Assert.True(Privileges.TryParseEffectiveUserId(RootStatus, out var uid));
        Assert.Equal(0u, uid);
    }

    [Fact]
    public void UserWithCapNetRawCanCaptureButNotChangeRoutes()
    {
        Assert.True(Privileges.TryParseEffectiveCapabilities(RawOnlyUserStatus, out var effective));
        Assert.True(Privileges.HasCapability(effective, LinuxCapability.NetRaw));
        Assert.False(Privileges.HasCapability(effective, LinuxCapability.NetAdmin));
        Assert.True(Privileges.TryParseEffectiveUserId(RawOnlyUserStatus, out var uid));
        Assert.Equal(1000u, uid);
    }

    [Fact]
    public void EffectiveUserIdIsTheSecondOfTheFourIds()
    {
        Assert.True(Privileges.TryParseEffectiveUserId("Uid:\t1000\t0\t1000\t0\n", out var uid));
        Assert.Equal(0u, uid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("CapPrm:\t000001fffeffffff\n")]
    [InlineData("CapEff:\t\n")]
    [InlineData("CapEff:\t00000000000000000\n")]
    [InlineData("CapEff:\tnot-hex\n")]
    [InlineData("CapEff:\t-1\n")]
    public void MissingOrMalformedCapEffIsNotRead(string status)
    {
        Assert.False(Privileges.TryParseEffectiveCapabilities(status, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Uid:\t0\t0\t0\n")]
    [InlineData("Uid:\t0\tx\t0\t0\n")]
    [InlineData("Uid:\t0\t-1\t0\t0\n")]
    public void MissingOrMalformedUidIsNotRead(string status)
    {
        Assert.False(Privileges.TryParseEffectiveUserId(status, out _));
    }

    [RootFact]
    public void RootHoldsBothNetworkCapabilitiesHere()
    {
        Assert.True(Privileges.IsRoot);
        Assert.True(Privileges.CanChangeNetwork);
        Assert.True(Privileges.CanCaptureAndSend);
    }
}
