using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Transmit;

public class NeighbourResolverTests
{
    [Fact]
    public void AnOnLinkRouteHasTheDestinationAsNextHop()
    {
        const string json = """[{"dst":"198.18.0.30","dev":"eth0","prefsrc":"198.18.0.20","flags":[],"uid":0,"cache":[]}]""";
        Assert.True(NeighbourResolver.TryParseRouteGet(json, out var nextHop, out var device));
        Assert.Equal(0xC612001Eu, nextHop);
        Assert.Equal("eth0", device);
    }

    [Fact]
    public void ARoutedDestinationHasItsGatewayAsNextHop()
    {
        const string json = """[{"dst":"198.19.0.5","gateway":"198.18.0.40","dev":"eth1","prefsrc":"198.18.0.20","flags":[],"uid":0,"cache":[]}]""";
        Assert.True(NeighbourResolver.TryParseRouteGet(json, out var nextHop, out var device));
        Assert.Equal(0xC6120028u, nextHop);
        Assert.Equal("eth1", device);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""[{"dev":"eth0"}]""")]
    [InlineData("""[{"dst":"fe80::1","dev":"eth0"}]""")]
    [InlineData("""[{"dst":42}]""")]
    [InlineData("not json")]
    public void AnAnswerWithoutAnIpv4NextHopIsRefused(string json) =>
        Assert.False(NeighbourResolver.TryParseRouteGet(json, out _, out _));

    private static readonly string[] Arp =
    [
        "IP address       HW type     Flags       HW address            Mask     Device",
        "198.18.0.30      0x1         0x2         02:00:00:00:00:30     *        eth0",
        "198.18.0.31      0x1         0x0         00:00:00:00:00:00     *        eth0",
        "198.18.0.40      0x1         0x2         02:00:00:00:00:40     *        eth1",
    ];

    [Fact]
    public void FindsACompleteNeighbourOnTheInterface()
    {
        Span<byte> mac = stackalloc byte[6];
        Assert.True(NeighbourResolver.TryFindNeighbour(Arp, 0xC612001E, "eth0", mac));
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0x30 }, mac.ToArray());
    }

    [Fact]
    public void AnIncompleteEntryIsNotANeighbour()
    {
        Span<byte> mac = stackalloc byte[6];
        Assert.False(NeighbourResolver.TryFindNeighbour(Arp, 0xC612001F, "eth0", mac));
    }

    [Fact]
    public void AnEntryOnAnotherInterfaceIsNotANeighbourHere()
    {
        Span<byte> mac = stackalloc byte[6];
        Assert.False(NeighbourResolver.TryFindNeighbour(Arp, 0xC6120028, "eth0", mac));
    }

    [Theory]
    [InlineData("02:00:00:00:00")]
    [InlineData("02:00:00:00:00:zz")]
    [InlineData("")]
    public void AMalformedMacIsRefused(string text)
    {
        Span<byte> mac = stackalloc byte[6];
        Assert.False(NeighbourResolver.TryParseMac(text, mac));
    }
}
