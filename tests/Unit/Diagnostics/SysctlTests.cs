using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class SysctlTests
{
    [Theory]
    [InlineData("net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward")]
    [InlineData("net.ipv4.conf.all.rp_filter", "/proc/sys/net/ipv4/conf/all/rp_filter")]
    [InlineData("net/ipv4/conf/eth0.100/rp_filter", "/proc/sys/net/ipv4/conf/eth0.100/rp_filter")]
    public void KeysMapToProcSysAsSysctlReadsThem(string key, string path)
    {
        Assert.Equal(path, Sysctl.ToPath(key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("net..ipv4")]
    [InlineData("net/../../etc/passwd")]
    [InlineData("/net/ipv4/ip_forward")]
    [InlineData("net.ipv4.")]
    public void KeysThatLeaveProcSysOrHaveEmptyPartsAreRefused(string key)
    {
        Assert.ThrowsAny<ArgumentException>(() => Sysctl.ToPath(key));
    }

    [Fact]
    public void AnUnknownSettingReadsAsNull()
    {
        Assert.Null(Sysctl.Read("net.ipv4.no_such_setting_here"));
    }

    [Fact]
    public void ReversePathFilterOfAMissingInterfaceIsNull()
    {
        Assert.Null(Sysctl.ReversePathFilter("nosuchif0"));
    }

    [RootFact]
    public void IpForwardingIsReadInTheNamespaceNotTheHost()
    {
        using var ns = new TestNamespace();

        ns.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        Assert.True(Sysctl.ReadIpForwarding(ns.Name));
        Assert.Equal("1", Sysctl.Read("net.ipv4.ip_forward", ns.Name));

        ns.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
        Assert.False(Sysctl.ReadIpForwarding(ns.Name));
    }

    [RootFact]
    public void ReversePathFilterIsTheLargerOfAllAndTheInterface()
    {
        using var ns = new TestNamespace();
        ns.AddVeth("trd0", "198.18.0.30/24");

        ns.Exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.trd0.rp_filter=2");
        Assert.Equal(2, Sysctl.ReversePathFilter("trd0", ns.Name));

        ns.Exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.trd0.rp_filter=0");
        Assert.Equal(1, Sysctl.ReversePathFilter("trd0", ns.Name));

        Assert.Null(Sysctl.ReversePathFilter("nosuchif0", ns.Name));
    }
}
