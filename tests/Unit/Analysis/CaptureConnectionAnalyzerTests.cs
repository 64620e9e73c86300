using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using TcpReplay.Engine.Analysis;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Analysis;

public class CaptureConnectionAnalyzerTests
{
    private static readonly IPAddress Client = IPAddress.Parse("198.18.0.10");
    private static readonly IPAddress Server = IPAddress.Parse("198.18.0.20");
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("02-00-00-00-00-01");
    private const long Second = 1_000_000_000;
    private const long Start = 1_700_000_000 * Second;

    private readonly CaptureConnectionAnalyzer _analyzer = new();
    private long _clock = Start;

    [Fact]
    public void FullConnectionIsCountedPerDirectionWithFinClose()
    {
        Feed(Client, 40000, Server, 80, syn: true);
        Feed(Server, 80, Client, 40000, syn: true, ack: true);
        Feed(Client, 40000, Server, 80, ack: true);
        Feed(Client, 40000, Server, 80, ack: true, payload: 100);
        Feed(Server, 80, Client, 40000, ack: true, payload: 1000);
        Feed(Client, 40000, Server, 80, ack: true, fin: true);
        Feed(Server, 80, Client, 40000, ack: true, fin: true);
        Feed(Client, 40000, Server, 80, ack: true);

        var connection = Assert.Single(_analyzer.GetConnections("x.pcap"));
        Assert.Equal(Client, connection.ClientAddress);
        Assert.Equal(40000, connection.ClientPort);
        Assert.Equal(Server, connection.ServerAddress);
        Assert.Equal(80, connection.ServerPort);
        Assert.Equal(5, connection.ClientPackets);
        Assert.Equal(3, connection.ServerPackets);
        Assert.Equal(100, connection.ClientBytes);
        Assert.Equal(1000, connection.ServerBytes);
        Assert.Equal((5 * 54) + 100, connection.ClientFrameBytes);
        Assert.Equal((3 * 54) + 1000, connection.ServerFrameBytes);
        Assert.True(connection.HandshakeSeen);
        Assert.Equal(ConnectionClose.Fin, connection.Close);
        Assert.Equal(ConnectionSide.Client, connection.ClosedBy);
        Assert.Equal(UnixTime.ToDateTime(Start), connection.FirstTimestamp);
        Assert.Equal(TimeSpan.FromMilliseconds(7), connection.Duration);
        Assert.Equal("x.pcap", connection.Path);
        Assert.Equal("198.18.0.10:40000", connection.Client);
    }

    [Fact]
    public void ResetFromServerIsReportedAsResetByServer()
    {
        Feed(Client, 40001, Server, 80, syn: true);
        Feed(Server, 80, Client, 40001, rst: true, ack: true);

        var connection = Assert.Single(_analyzer.GetConnections());
        Assert.Equal(ConnectionClose.Reset, connection.Close);
        Assert.Equal(ConnectionSide.Server, connection.ClosedBy);
        Assert.True(connection.SynSeen);
        Assert.False(connection.SynAckSeen);
    }

    [Fact]
    public void ConnectionWithoutHandshakeTakesTheHigherPortAsClient()
    {
        Feed(Server, 8080, Client, 51000, ack: true, payload: 10);
        Feed(Client, 51000, Server, 8080, ack: true);

        var connection = Assert.Single(_analyzer.GetConnections());
        Assert.Equal(Client, connection.ClientAddress);
        Assert.Equal(51000, connection.ClientPort);
        Assert.Equal(1, connection.ServerPackets);
        Assert.False(connection.HandshakeSeen);
        Assert.Equal(ConnectionClose.None, connection.Close);
    }

    [Fact]
    public void ConnectionWithOnlySynAckTakesItsReceiverAsClient()
    {
        Feed(Server, 40000, Client, 50000, syn: true, ack: true);

        var connection = Assert.Single(_analyzer.GetConnections());
        Assert.Equal(Client, connection.ClientAddress);
        Assert.Equal(50000, connection.ClientPort);
    }

    [Fact]
    public void OneFinOnlyIsHalfClosed()
    {
        Feed(Client, 40002, Server, 80, syn: true);
        Feed(Server, 80, Client, 40002, ack: true, fin: true);

        Assert.Equal(ConnectionClose.HalfClosed, Assert.Single(_analyzer.GetConnections()).Close);
    }

    [Fact]
    public void NewSynOnTheEndpointsOfAClosedConnectionStartsAnotherConnection()
    {
        Feed(Client, 40003, Server, 80, syn: true);
        Feed(Server, 80, Client, 40003, rst: true, ack: true);
        Feed(Client, 40003, Server, 80, syn: true);
        Feed(Server, 80, Client, 40003, syn: true, ack: true);

        var connections = _analyzer.GetConnections();
        Assert.Equal(2, connections.Count);
        Assert.Equal([1, 2], connections.Select(c => c.Index));
        Assert.Equal(ConnectionClose.None, connections[1].Close);
    }

    [Fact]
    public void SeparateConnectionsAreKeptApartAndInFirstPacketOrder()
    {
        Feed(Client, 40010, Server, 80, syn: true);
        Feed(Client, 40011, Server, 80, syn: true);
        Feed(Client, 40010, Server, 80, ack: true);

        var connections = _analyzer.GetConnections();
        Assert.Equal([40010, 40011], connections.Select(c => c.ClientPort));
        Assert.Equal([2L, 1L], connections.Select(c => c.ClientPackets));
    }

    [Fact]
    public void Ipv6ConnectionIsReadWithItsAddresses()
    {
        var client6 = IPAddress.Parse("2001:db8::10");
        var server6 = IPAddress.Parse("2001:db8::20");
        Feed(client6, 40000, server6, 443, syn: true);
        Feed(server6, 443, client6, 40000, syn: true, ack: true);

        var connection = Assert.Single(_analyzer.GetConnections());
        Assert.Equal(client6, connection.ClientAddress);
        Assert.Equal("[2001:db8::10]:40000", connection.Client);
        Assert.True(connection.HandshakeSeen);
    }

    [Fact]
    public void NonTcpPacketsAreIgnoredAndMalformedOnesCountedWithoutStoppingTheRest()
    {
        var udp = new EthernetPacket(Mac, Mac, EthernetType.IPv4)
        {
            PayloadPacket = new IPv4Packet(Client, Server) { PayloadPacket = new UdpPacket(53, 53) },
        };
        udp.UpdateCalculatedValues();
        var udpBytes = udp.Bytes;
        _analyzer.Add(LinkType.Ethernet, udpBytes, udpBytes.Length, Start);

        var broken = Frame(Client, 40000, Server, 80, syn: true, ack: false, fin: false, rst: false, payload: 0);
        broken[14] = 0x42; // IPv4 with a 2-word header: shorter than the minimum of 5.
        _analyzer.Add(LinkType.Ethernet, broken, broken.Length, Start);
        Feed(Client, 40000, Server, 80, syn: true);

        Assert.Equal(1, _analyzer.IgnoredPackets);
        Assert.Equal(1, _analyzer.MalformedPackets);
        Assert.Equal(1, _analyzer.TcpPackets);
        Assert.Single(_analyzer.GetConnections());
    }

    private void Feed(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort,
        bool syn = false, bool ack = false, bool fin = false, bool rst = false, int payload = 0)
    {
        var frame = Frame(source, sourcePort, destination, destinationPort, syn, ack, fin, rst, payload);
        _analyzer.Add(LinkType.Ethernet, frame, frame.Length, _clock);
        _clock += Second / 1000;
    }

    private static byte[] Frame(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort,
        bool syn, bool ack, bool fin, bool rst, int payload)
    {
        var tcp = new TcpPacket(sourcePort, destinationPort)
        {
            Synchronize = syn,
            Acknowledgment = ack,
            Finished = fin,
            Reset = rst,
            SequenceNumber = 1000,
            AcknowledgmentNumber = ack ? 2000u : 0u,
            WindowSize = 65535,
            PayloadData = new byte[payload],
        };
        IPPacket ip = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? new IPv6Packet(source, destination)
            : new IPv4Packet(source, destination);
        ip.PayloadPacket = tcp;
        var ethernet = new EthernetPacket(Mac, Mac,
            ip is IPv6Packet ? EthernetType.IPv6 : EthernetType.IPv4)
        { PayloadPacket = ip };
        ethernet.UpdateCalculatedValues();
        return ethernet.Bytes;
    }
}
