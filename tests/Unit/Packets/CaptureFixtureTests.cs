using TcpReplay.Engine.Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>
/// Real captures of HTTP over loopback (made by Fixtures/Packets/make-tcp-fixtures.sh): three
/// requests to a python http.server, captured as Ethernet, Linux cooked v1 and v2, and with a
/// snap length of 80 bytes.
/// </summary>
public class CaptureFixtureTests
{
    public static TheoryData<string, LinkType> Captures => new()
    {
        { "http-lo-ethernet.pcap", LinkType.Ethernet },
        { "http-any-sll.pcap", LinkType.LinuxSll },
        { "http-any-sll2.pcap", LinkType.LinuxSll2 },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void EveryPacketOfTheCaptureMatchesPacketDotNet(string file, LinkType expectedLinkType)
    {
        var capture = PcapFixture.Load(file);
        Assert.Equal(expectedLinkType, capture.LinkType);
        Assert.Equal(36, capture.Records.Count);

        foreach (PcapRecord record in capture.Records)
        {
            byte[] frame = (byte[])record.Data.Clone();
            var expected = Pdn.Packet.ParsePacket((Pdn.LinkLayers)capture.LinkType, record.Data).Extract<Pdn.IPPacket>();

            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(capture.LinkType, frame, out TcpPacket packet));

            OracleAssert.PacketMatches(expected, packet);
            Assert.False(packet.IsTruncated);
            Assert.Equal(record.Data.Length - packet.NetworkOffset - packet.Ipv4.HeaderLength - packet.Tcp.HeaderLength, packet.PayloadLength);
        }
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void TheCaptureHoldsHandshakesWithOptionsAndDataSegments(string file, LinkType linkType)
    {
        var capture = PcapFixture.Load(file);
        Assert.Equal(linkType, capture.LinkType);
        int synWithOptions = 0;
        int bytesFromServer = 0;
        foreach (PcapRecord record in capture.Records)
        {
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(linkType, record.Data, out TcpPacket packet));
            TcpHeader tcp = packet.Tcp;
            if (tcp.Flags.HasFlag(TcpFlags.Syn)
                && tcp.TryGetMss(out ushort mss) && mss == 65495
                && tcp.TryGetWindowScale(out _) && tcp.HasSackPermitted && tcp.TryGetTimestamps(out _, out _))
            {
                synWithOptions++;
            }

            if (tcp.SourcePort == 8080)
            {
                bytesFromServer += packet.PayloadLength;
            }
        }

        // Three connections: a SYN and a SYN-ACK each; the responses carry the 3000-byte file and more.
        Assert.Equal(6, synWithOptions);
        Assert.True(bytesFromServer > 3000, $"{bytesFromServer} bytes from the server");
    }

    [Fact]
    public void LoopbackTcpChecksumsArePartialInTheCaptureAndVerifyOnceComputed()
    {
        foreach (PcapRecord record in PcapFixture.Load("http-lo-ethernet.pcap").Records)
        {
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(LinkType.Ethernet, record.Data, out TcpPacket packet));
            Assert.True(packet.Ipv4.IsHeaderChecksumValid);
            Assert.False(packet.VerifyChecksums());

            packet.ComputeChecksums();

            Assert.True(packet.VerifyChecksums());
            var expectedTcp = Pdn.Packet.ParsePacket(Pdn.LinkLayers.Ethernet, record.Data).Extract<Pdn.TcpPacket>();
            Assert.True(expectedTcp.ValidTcpChecksum);
        }
    }

    [Fact]
    public void RewrittenCapturedPacketsHaveTheChecksumsPacketDotNetComputes()
    {
        var random = new Random(120);
        foreach (PcapRecord record in PcapFixture.Load("http-any-sll2.pcap").Records)
        {
            byte[] frame = record.Data;
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(LinkType.LinuxSll2, frame, out TcpPacket packet));
            packet.ComputeChecksums();

            var applied = RandomRewrites.Apply(random, packet);
            packet.RewriteIpv4Destination(0xC6130001, 18080);
            packet.Tcp.SetSequenceNumber(packet.Tcp.SequenceNumber + 1_000_000);
            packet.Tcp.SetAcknowledgmentNumber(packet.Tcp.AcknowledgmentNumber - 7);

            var expected = Pdn.Packet.ParsePacket(Pdn.LinkLayers.LinuxSll2, frame).Extract<Pdn.IPv4Packet>();
            var expectedTcp = (Pdn.TcpPacket)expected.PayloadPacket;
            Assert.True(expected.ValidIPChecksum, applied.ToString());
            Assert.True(expectedTcp.ValidTcpChecksum, applied.ToString());
            Assert.Equal(expectedTcp.CalculateTcpChecksum(), packet.Tcp.Checksum);
            Assert.Equal("198.19.0.1", expected.DestinationAddress.ToString());
            Assert.Equal(18080, expectedTcp.DestinationPort);
        }
    }

    [Fact]
    public void ASnapLengthOf80CutsPacketsThatStillParseWithTheirDeclaredLengths()
    {
        var cut = PcapFixture.Load("http-lo-snaplen80.pcap");
        var whole = PcapFixture.Load("http-lo-ethernet.pcap");
        Assert.Equal(80, cut.SnapLength);
        Assert.Equal(whole.Records.Count, cut.Records.Count);
        int truncated = 0;

        for (int i = 0; i < cut.Records.Count; i++)
        {
            PcapRecord record = cut.Records[i];
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(LinkType.Ethernet, record.Data, out TcpPacket packet));
            Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(LinkType.Ethernet, whole.Records[i].Data, out TcpPacket reference));

            Assert.Equal(record.OriginalLength > record.Data.Length, packet.IsTruncated);
            Assert.Equal(reference.Tcp.SequenceNumber, packet.Tcp.SequenceNumber);
            Assert.Equal(reference.PayloadLength, packet.PayloadLength);
            Assert.Equal(reference.Tcp.Payload.Slice(0, packet.Tcp.Payload.Length).ToArray(), packet.Tcp.Payload.ToArray());
            truncated += packet.IsTruncated ? 1 : 0;
        }

        Assert.True(truncated >= 6, $"{truncated} truncated packets");
    }
}
