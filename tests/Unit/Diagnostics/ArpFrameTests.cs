using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class ArpFrameTests
{
    private static readonly PhysicalAddress OwnMac = PhysicalAddress.Parse("02-00-00-00-00-30");
    private static readonly PhysicalAddress PeerMac = PhysicalAddress.Parse("02-00-00-00-00-50");
    private static readonly uint Own = IPv4Network.Parse("198.18.0.30").Address;
    private static readonly uint Peer = IPv4Network.Parse("198.18.0.50").Address;

    private static byte[] Reply(PhysicalAddress senderMac, string senderAddress, ArpOperation operation = ArpOperation.Response)
    {
        var arp = new ArpPacket(operation, OwnMac, IPAddress.Parse("198.18.0.30"), senderMac, IPAddress.Parse(senderAddress));
        return new EthernetPacket(senderMac, OwnMac, EthernetType.Arp) { PayloadPacket = arp }.Bytes;
    }

    [Fact]
    public void RequestIsABroadcastWhoHasFromTheInterface()
    {
        var frame = ArpFrame.BuildRequest(OwnMac, Own, Peer);

        var ethernet = new EthernetPacket(new PacketDotNet.Utils.ByteArraySegment(frame));
        var arp = ethernet.Extract<ArpPacket>();
        Assert.Equal(ArpFrame.Length, frame.Length);
        Assert.Equal(PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF"), ethernet.DestinationHardwareAddress);
        Assert.Equal(OwnMac, ethernet.SourceHardwareAddress);
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(OwnMac, arp.SenderHardwareAddress);
        Assert.Equal(IPAddress.Parse("198.18.0.30"), arp.SenderProtocolAddress);
        Assert.Equal(IPAddress.Parse("198.18.0.50"), arp.TargetProtocolAddress);
    }

    [Fact]
    public void ReplyGivesTheSenderAddressAndMac()
    {
        Assert.True(ArpFrame.TryReadReply(Reply(PeerMac, "198.18.0.50"), out var address, out var mac));

        Assert.Equal(Peer, address);
        Assert.Equal(PeerMac, mac);
    }

    [Fact]
    public void ARequestIsNotAReply()
    {
        Assert.False(ArpFrame.TryReadReply(ArpFrame.BuildRequest(PeerMac, Peer, Own), out _, out _));
    }

    [Fact]
    public void ANonArpFrameIsNotAReply()
    {
        var frame = Reply(PeerMac, "198.18.0.50");
        frame[12] = 0x08;
        frame[13] = 0x00;

        Assert.False(ArpFrame.TryReadReply(frame, out _, out _));
    }

    [Fact]
    public void AnArpForAnotherProtocolIsNotAReply()
    {
        var frame = Reply(PeerMac, "198.18.0.50");
        frame[17] = 0xDD; // protocol type 0x08DD

        Assert.False(ArpFrame.TryReadReply(frame, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(21)]
    [InlineData(27)]
    [InlineData(31)]
    [InlineData(41)]
    public void ATruncatedReplyIsRefusedWithoutReadingPastItsEnd(int length)
    {
        var frame = Reply(PeerMac, "198.18.0.50").AsSpan(0, length).ToArray();

        Assert.False(ArpFrame.TryReadReply(frame, out var address, out var mac));
        Assert.Equal(0u, address);
        Assert.Null(mac);
    }

    [Fact]
    public void SenderIsTheInterfaceAddressOnTheTargetsNetwork()
    {
        IPv4Network[] own = [IPv4Network.Parse("198.18.5.1/28"), IPv4Network.Parse("198.18.0.30/24")];

        Assert.Equal(Own, ArpProbe.SenderAddressFor(Peer, own));
        Assert.Equal(IPv4Network.Parse("198.18.5.1").Address, ArpProbe.SenderAddressFor(IPv4Network.Parse("198.19.0.1").Address, own));
    }

    [Fact]
    public void WithoutAnAddressOrAskingForItsOwnTheRequestIsAnRfc5227Probe()
    {
        Assert.Equal(0u, ArpProbe.SenderAddressFor(Peer, []));
        Assert.Equal(0u, ArpProbe.SenderAddressFor(Own, [IPv4Network.Parse("198.18.0.30/24")]));
    }
}
