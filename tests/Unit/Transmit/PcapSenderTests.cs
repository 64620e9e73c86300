using System.Diagnostics;
using System.Net;
using PacketDotNet;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using TcpReplay.Engine.Transmit;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Transmit;

[Collection(LabCollection.Name)]
public class PcapSenderTests
{
    private const string SenderMac = "02:00:00:00:00:a1";
    private const string PeerMac = "02:00:00:00:00:b2";
    private const ushort MarkerPort = 9999;

    [RootFact]
    public void InjectsAFrameFromTheInterfaceMacToTheNeighbourMacOfAnOnLinkDestination()
    {
        using var lab = Build();
        var packet = UdpPacket("198.18.0.1", "198.18.0.2", payloadLength: 32);
        var frames = SendAndCapture(lab, packet, Address("198.18.0.2"), out var result);

        Assert.Equal(0, result);
        var frame = Assert.Single(frames);
        Assert.Equal(LinkType.Ethernet, frame.LinkType);
        var ethernet = frame.Ethernet!;
        Assert.Equal(PeerMac.Replace(":", string.Empty), ethernet.DestinationHardwareAddress.ToString(), ignoreCase: true);
        Assert.Equal(SenderMac.Replace(":", string.Empty), ethernet.SourceHardwareAddress.ToString(), ignoreCase: true);
        Assert.Equal(EthernetType.IPv4, ethernet.Type);
        Assert.Equal(packet, frame.Bytes[14..]);
    }

    [RootFact]
    public void SendsARoutedDestinationToTheGatewaysMac()
    {
        using var lab = Build();
        lab.Run("a", "ip", "route", "add", "198.19.0.0/16", "via", "198.18.0.2");
        var packet = UdpPacket("198.18.0.1", "198.19.0.5", payloadLength: 16);
        var frames = SendAndCapture(lab, packet, Address("198.19.0.5"), out var result);

        Assert.Equal(0, result);
        var frame = Assert.Single(frames);
        Assert.Equal(PeerMac.Replace(":", string.Empty), frame.Ethernet!.DestinationHardwareAddress.ToString(), ignoreCase: true);
        Assert.Equal("198.19.0.5", ((IPv4Packet)frame.Ethernet.PayloadPacket).DestinationAddress.ToString());
    }

    [RootFact]
    public void ReturnsErrnoValuesInsteadOfThrowing()
    {
        using var lab = Build();
        lab.Run("a", "ip", "link", "add", "c0", "type", "veth", "peer", "name", "c1");
        lab.Run("a", "ip", "link", "set", "c0", "up");
        lab.Run("a", "ip", "link", "set", "c1", "up");
        lab.Run("a", "ip", "route", "add", "198.19.7.0/24", "dev", "c0");
        using (NetworkNamespaceScope.Enter(lab.Name("a")))
        {
            var sender = new PcapSender("a0");
            try
            {
                Assert.Equal(LinkType.Ethernet, sender.LinkType);
                Assert.Equal(SenderMac.Replace(":", string.Empty), sender.SourceAddress.ToString(), ignoreCase: true);

                // Nobody answers ARP for .99: EHOSTUNREACH after one bounded resolution, then at once from the cache.
                var nobody = UdpPacket("198.18.0.1", "198.18.0.99", payloadLength: 8);
                var clock = Stopwatch.StartNew();
                Assert.Equal(113, sender.Send(nobody, Address("198.18.0.99")));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}");
                clock.Restart();
                Assert.Equal(113, sender.Send(nobody, Address("198.18.0.99")));
                Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(100), $"{clock.Elapsed}");

                // No route at all, or a route through another interface: ENETUNREACH.
                Assert.Equal(101, sender.Send(UdpPacket("198.18.0.1", "198.19.9.9", 8), Address("198.19.9.9")));
                Assert.Equal(101, sender.Send(UdpPacket("198.18.0.1", "198.19.7.7", 8), Address("198.19.7.7")));

                // Larger than the 1500-byte MTU: the kernel's EMSGSIZE, as tcpcopy would see it.
                Assert.Equal(90, sender.Send(UdpPacket("198.18.0.1", "198.18.0.2", payloadLength: 1972), Address("198.18.0.2")));

                Assert.Equal(22, sender.Send(new byte[10], Address("198.18.0.2")));
                Assert.Equal(0, sender.Sent);
                Assert.Equal(6, sender.Failed);
            }
            finally
            {
                sender.Dispose();
            }

            Assert.Equal(9, sender.Send(UdpPacket("198.18.0.1", "198.18.0.2", 8), Address("198.18.0.2")));
        }
    }

    [Fact]
    public void RefusesTheAnyDevice()
    {
        var error = Assert.Throws<CaptureException>(() => new PcapSender("any"));
        Assert.Equal(CaptureErrorKind.OpenFailed, error.Kind);
    }

    private static LabNetwork Build()
    {
        var lab = new LabNetwork();
        try
        {
            lab.AddNamespace("a");
            lab.AddNamespace("b");
            lab.AddVeth("a", "a0", "198.18.0.1/24", SenderMac, "b", "b0", "198.18.0.2/24", PeerMac);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    private static List<CapturedPacket> SendAndCapture(LabNetwork lab, byte[] packet, uint destination, out int result)
    {
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        PcapCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name("b")))
        {
            capture = new PcapCapture("b0", $"udp dst port {MarkerPort}", pool);
            capture.Start(sink);
        }

        using (capture)
        {
            using (NetworkNamespaceScope.Enter(lab.Name("a")))
            using (var sender = new PcapSender("a0"))
            {
                result = sender.Send(packet, destination);
            }

            sink.WaitUntil(p => p.Count > 0, TimeSpan.FromSeconds(3));
            Thread.Sleep(200);
        }

        return [.. sink.Packets];
    }

    private static byte[] UdpPacket(string source, string destination, int payloadLength)
    {
        var udp = new UdpPacket(40000, MarkerPort) { PayloadData = new byte[payloadLength] };
        var ip = new IPv4Packet(IPAddress.Parse(source), IPAddress.Parse(destination)) { PayloadPacket = udp, TimeToLive = 64 };
        ip.UpdateCalculatedValues();
        ip.UpdateIPChecksum();
        udp.UpdateUdpChecksum();
        return ip.Bytes;
    }

    private static uint Address(string text) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(text).GetAddressBytes());
}
