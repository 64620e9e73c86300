using System.Net;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Packets;

public class IpAddress128Tests
{
    [Theory]
    [InlineData("198.18.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("2001:db8::1")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1:2:3:4")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void AddressesRoundTrip(string text)
    {
        var address = IPAddress.Parse(text);

        Assert.Equal(address, IpAddress128.ToIPAddress(IpAddress128.FromIPAddress(address)));
    }

    [Fact]
    public void Ipv4AddressesBecomeIpv4MappedValues()
    {
        UInt128 value = IpAddress128.FromIPAddress(IPAddress.Parse("198.18.0.1"));

        Assert.Equal(new UInt128(0, 0x0000_FFFF_C612_0001), value);
        Assert.True(IpAddress128.IsIpv4Mapped(value));
        Assert.Equal(0xC6120001u, IpAddress128.ToIpv4(value));
        Assert.Equal(value, IpAddress128.FromIpv4(0xC6120001));
    }

    [Theory]
    [InlineData("2001:db8::1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("::fffe:c612:1")]
    [InlineData("1::ffff:c612:1")]
    public void Ipv6AddressesAreNotIpv4Mapped(string text)
    {
        Assert.False(IpAddress128.IsIpv4Mapped(IpAddress128.FromIPAddress(IPAddress.Parse(text))));
    }

    [Fact]
    public void Ipv6AddressesAreTheirBytesAsABigEndianNumber()
    {
        Assert.Equal(new UInt128(0x2001_0db8_0000_0000, 0x0000_0000_0000_0001), IpAddress128.FromIPAddress(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void AnIpv6AddressWrittenAsIpv4MappedComesBackAsIpv4()
    {
        // One number type for both families cannot tell ::ffff:a.b.c.d from a.b.c.d; the parser never makes the former.
        Assert.Equal(IPAddress.Parse("198.18.0.1"), IpAddress128.ToIPAddress(IpAddress128.FromIPAddress(IPAddress.Parse("::ffff:198.18.0.1"))));
    }
}
