using System.Net;
using PacketDotNet;
using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Tests.Capture;

public class Ipv4TcpPortsTests
{
    [Fact]
    public void ReadsTheAddressAndPortsThatPacketDotNetWrote()
    {
        var packet = TcpPacketBytes(sourcePort: 51000, destinationPort: 8080);
        Assert.True(Ipv4TcpPorts.TryRead(packet, out var destination, out var source, out var port));
        Assert.Equal(0xC6120014u, destination);
        Assert.Equal(51000, source);
        Assert.Equal(8080, port);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(19)]
    [InlineData(20)]
    [InlineData(21)]
    [InlineData(23)]
    public void APacketCutBeforeTheTcpPortsEndIsRefused(int length)
    {
        var packet = TcpPacketBytes(51000, 8080);
        Assert.False(Ipv4TcpPorts.TryRead(packet.AsSpan(0, length), out _, out _, out _));
    }

    [Fact]
    public void TheFourBytesOfPortsAreEnough()
    {
        var packet = TcpPacketBytes(51000, 8080);
        Assert.True(Ipv4TcpPorts.TryRead(packet.AsSpan(0, 24), out _, out _, out var port));
        Assert.Equal(8080, port);
    }

    [Fact]
    public void IpOptionsMoveThePorts()
    {
        var plain = TcpPacketBytes(51000, 8080);

        // IHL 6: four bytes of options (NOP padding) between the header and TCP.
        var withOptions = new byte[plain.Length + 4];
        plain.AsSpan(0, 20).CopyTo(withOptions);
        withOptions[0] = 0x46;
        withOptions.AsSpan(20, 4).Fill(1);
        plain.AsSpan(20).CopyTo(withOptions.AsSpan(24));
        Assert.True(Ipv4TcpPorts.TryRead(withOptions, out _, out _, out var port));
        Assert.Equal(8080, port);
        Assert.False(Ipv4TcpPorts.TryRead(withOptions.AsSpan(0, 27), out _, out _, out _));
    }

    [Theory]
    [InlineData(0, 0x65)] // version 6
    [InlineData(0, 0x44)] // IHL 4: shorter than the fixed header
    [InlineData(9, 17)] // UDP
    [InlineData(7, 0x10)] // fragment offset 16 (×8 bytes): no TCP header in this fragment
    public void APacketWithoutATcpHeaderHereIsRefused(int offset, byte value)
    {
        var packet = TcpPacketBytes(51000, 8080);
        packet[offset] = value;
        Assert.False(Ipv4TcpPorts.TryRead(packet, out _, out _, out _));
    }

    [Fact]
    public void TheFirstFragmentStillHasItsPorts()
    {
        var packet = TcpPacketBytes(51000, 8080);
        packet[6] = 0x20; // more fragments, offset 0
        Assert.True(Ipv4TcpPorts.TryRead(packet, out _, out _, out var port));
        Assert.Equal(8080, port);
    }

    internal static byte[] TcpPacketBytes(ushort sourcePort, ushort destinationPort)
    {
        var tcp = new TcpPacket(sourcePort, destinationPort) { Synchronize = true, SequenceNumber = 1000, WindowSize = 65535 };
        var ip = new IPv4Packet(IPAddress.Parse("198.18.0.10"), IPAddress.Parse("198.18.0.20")) { PayloadPacket = tcp, TimeToLive = 64 };
        ip.UpdateCalculatedValues();
        ip.UpdateIPChecksum();
        return ip.Bytes;
    }
}
