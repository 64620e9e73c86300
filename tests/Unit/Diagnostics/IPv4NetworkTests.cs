using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class IPv4NetworkTests
{
    [Theory]
    [InlineData("198.19.0.0/16", 0xC6130000u, 16)]
    [InlineData("198.18.0.50", 0xC6120032u, 32)]
    [InlineData("0.0.0.0/0", 0u, 0)]
    [InlineData("255.255.255.255/32", 0xFFFFFFFFu, 32)]
    [InlineData("198.18.0.30/24", 0xC612001Eu, 24)]
    [InlineData("10.0.0.0/8", 0x0A000000u, 8)]
    public void TryParseReadsAnAddressAndPrefixLength(string text, uint address, int prefixLength)
    {
        Assert.True(IPv4Network.TryParse(text, out var network));
        Assert.Equal(address, network.Address);
        Assert.Equal(prefixLength, network.PrefixLength);
    }

    [Theory]
    [InlineData("")]
    [InlineData("198.19.0.0/")]
    [InlineData("198.19.0.0/33")]
    [InlineData("198.19.0.0/-1")]
    [InlineData("198.19.0.0/016")]
    [InlineData("198.19.0.0/1a")]
    [InlineData("198.19.0.0/16/8")]
    [InlineData("198.19.0/16")]
    [InlineData("198.19.0.0.0/16")]
    [InlineData("198.19.0.256")]
    [InlineData("198.019.0.0/16")]
    [InlineData("198.19..0/16")]
    [InlineData(" 198.19.0.0/16")]
    [InlineData("198.19.0.0/16 ")]
    [InlineData("3325231104")]
    [InlineData("2001:db8::/32")]
    [InlineData("1234.1.1.1")]
    [InlineData("a.b.c.d/8")]
    public void TryParseRefusesAnythingButDottedQuadAndPrefix(string text)
    {
        Assert.False(IPv4Network.TryParse(text, out var network));
        Assert.Equal(default, network);
    }

    [Fact]
    public void TryParseRefusesNull()
    {
        Assert.False(IPv4Network.TryParse((string?)null, out _));
    }

    [Fact]
    public void ParseThrowsFormatExceptionNamingTheText()
    {
        var exception = Assert.Throws<FormatException>(() => IPv4Network.Parse("198.19.0.0/40"));
        Assert.Contains("198.19.0.0/40", exception.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(33)]
    public void ConstructorRefusesPrefixLengthsOutsideZeroTo32(int prefixLength)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IPv4Network(0, prefixLength));
    }

    [Fact]
    public void HostBitsAreKeptInAddressAndDroppedFromNetworkAddress()
    {
        var network = IPv4Network.Parse("198.18.0.30/24");

        Assert.Equal(0xC612001Eu, network.Address);
        Assert.Equal(0xC6120000u, network.NetworkAddress);
        Assert.False(network.IsCanonical);
        Assert.Equal(IPv4Network.Parse("198.18.0.0/24"), network.Canonical);
        Assert.True(network.Canonical.IsCanonical);
    }

    [Theory]
    [InlineData("198.19.0.0/16", "198.19.0.0/16")]
    [InlineData("198.18.0.50", "198.18.0.50/32")]
    [InlineData("198.18.0.30/24", "198.18.0.30/24")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void ToStringWritesTheAddressAsHeldAndThePrefixLength(string text, string expected)
    {
        Assert.Equal(expected, IPv4Network.Parse(text).ToString());
    }

    [Theory]
    [InlineData(0, 0u)]
    [InlineData(1, 0x80000000u)]
    [InlineData(16, 0xFFFF0000u)]
    [InlineData(31, 0xFFFFFFFEu)]
    [InlineData(32, 0xFFFFFFFFu)]
    public void MaskHasPrefixLengthLeadingOnes(int prefixLength, uint mask)
    {
        Assert.Equal(mask, new IPv4Network(0x12345678, prefixLength).Mask);
    }

    [Theory]
    [InlineData("198.19.0.0/16", "198.19.0.0", true)]
    [InlineData("198.19.0.0/16", "198.19.255.255", true)]
    [InlineData("198.19.0.0/16", "198.18.255.255", false)]
    [InlineData("198.19.0.0/16", "198.20.0.0", false)]
    [InlineData("198.19.7.9/16", "198.19.200.1", true)]
    [InlineData("198.18.0.50", "198.18.0.50", true)]
    [InlineData("198.18.0.50", "198.18.0.51", false)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("0.0.0.0/0", "0.0.0.0", true)]
    public void ContainsComparesTheNetworkBitsOnly(string network, string address, bool expected)
    {
        Assert.True(IPv4Network.TryParse(address, out var host));
        Assert.Equal(expected, IPv4Network.Parse(network).Contains(host.Address));
    }

    [Theory]
    [InlineData("198.18.0.0/15", "198.19.0.0/16", true)]
    [InlineData("198.19.0.0/16", "198.18.0.0/15", false)]
    [InlineData("198.19.0.0/16", "198.19.0.0/16", true)]
    [InlineData("0.0.0.0/0", "198.19.0.0/16", true)]
    [InlineData("198.19.0.0/16", "198.20.0.0/16", false)]
    public void ContainsNetworkNeedsEveryAddressInside(string outer, string inner, bool expected)
    {
        Assert.Equal(expected, IPv4Network.Parse(outer).Contains(IPv4Network.Parse(inner)));
    }

    [Theory]
    [InlineData("198.18.0.0/15", "198.19.0.0/16", true)]
    [InlineData("198.19.0.0/16", "198.18.0.0/15", true)]
    [InlineData("198.18.0.0/24", "198.18.1.0/24", false)]
    [InlineData("198.18.0.0/24", "198.18.0.255", true)]
    [InlineData("198.18.0.0/24", "198.18.1.0", false)]
    [InlineData("0.0.0.0/0", "198.18.1.0/24", true)]
    [InlineData("198.18.0.1", "198.18.0.1", true)]
    [InlineData("198.18.0.1", "198.18.0.2", false)]
    public void OverlapsIsSymmetricAndTrueWhenOneHoldsTheOther(string a, string b, bool expected)
    {
        var first = IPv4Network.Parse(a);
        var second = IPv4Network.Parse(b);

        Assert.Equal(expected, first.Overlaps(second));
        Assert.Equal(expected, second.Overlaps(first));
    }

    [Theory]
    [InlineData(32, 1u)]
    [InlineData(31, 2u)]
    [InlineData(30, 2u)]
    [InlineData(24, 254u)]
    [InlineData(16, 65534u)]
    [InlineData(1, 2147483646u)]
    [InlineData(0, 4294967294u)]
    public void CountLeavesOutNetworkAndBroadcastBelowSlash31(int prefixLength, uint count)
    {
        Assert.Equal(count, new IPv4Network(0xC6130000, prefixLength).Count);
    }

    [Theory]
    [InlineData("198.19.0.0/16", 0L, "198.19.0.1")]
    [InlineData("198.19.0.0/16", 254L, "198.19.0.255")]
    [InlineData("198.19.0.0/16", 255L, "198.19.1.0")]
    [InlineData("198.19.0.0/16", 65533L, "198.19.255.254")]
    [InlineData("198.19.9.9/16", 0L, "198.19.0.1")]
    [InlineData("198.18.0.8/31", 0L, "198.18.0.8")]
    [InlineData("198.18.0.8/31", 1L, "198.18.0.9")]
    [InlineData("198.18.0.50", 0L, "198.18.0.50")]
    [InlineData("0.0.0.0/0", 4294967293L, "255.255.255.254")]
    public void IndexerGivesTheNthUsableHostFromTheNetworkAddress(string network, long index, string expected)
    {
        Assert.Equal(IPv4Network.Parse(expected).Address, IPv4Network.Parse(network)[index]);
    }

    [Theory]
    [InlineData("198.19.0.0/16", -1L)]
    [InlineData("198.19.0.0/16", 65534L)]
    [InlineData("198.18.0.50", 1L)]
    [InlineData("198.18.0.8/31", 2L)]
    [InlineData("0.0.0.0/0", 4294967294L)]
    [InlineData("0.0.0.0/0", long.MaxValue)]
    [InlineData("0.0.0.0/0", long.MinValue)]
    public void IndexerRefusesIndexesOutsideTheUsableHosts(string network, long index)
    {
        var parsed = IPv4Network.Parse(network);

        Assert.Throws<ArgumentOutOfRangeException>(() => parsed[index]);
    }

    [Fact]
    public void EqualityComparesAddressAsHeldAndPrefixLength()
    {
        Assert.Equal(IPv4Network.Parse("198.19.0.0/16"), new IPv4Network(0xC6130000, 16));
        Assert.NotEqual(IPv4Network.Parse("198.19.0.1/16"), IPv4Network.Parse("198.19.0.0/16"));
        Assert.NotEqual(IPv4Network.Parse("198.19.0.0/16"), IPv4Network.Parse("198.19.0.0/17"));
    }
}
