using TcpReplay.Engine.Packets;
using static TcpReplay.Engine.Tests.Packets.Ipv6Packets;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>Every cut of a frame with IP and TCP options, in every link type: a status or a truncated packet, never an exception.</summary>
public class TcpPacketTruncationTests
{
    // MSS, SACK permitted, timestamps, NOP, window scale: 20 option bytes, a 40-byte TCP header.
    private static readonly byte[] SynOptions = [2, 4, 0x05, 0xB4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3, 7];

    private static readonly Dictionary<string, (LinkType LinkType, byte[] Frame, int NetworkOffset, int IpHeaderLength)> Frames = BuildFrames();

    public static TheoryData<string, int> CutPoints()
    {
        var data = new TheoryData<string, int>();
        foreach ((string name, var sample) in Frames)
        {
            for (int length = 0; length < sample.Frame.Length; length++)
            {
                data.Add(name, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CutPoints))]
    public void AFrameCutAnywhereIsTruncatedOrAPacketMarkedTruncated(string name, int length)
    {
        (LinkType linkType, byte[] frame, int networkOffset, int ipHeaderLength) = Frames[name];
        int tcpStart = networkOffset + ipHeaderLength;
        byte[] cut = frame.AsSpan(0, length).ToArray();

        var status = TcpPacket.TryParse(linkType, cut, out TcpPacket packet);

        if (length < tcpStart + 40)
        {
            Assert.Equal(PacketParseStatus.Truncated, status);
        }
        else
        {
            Assert.Equal(PacketParseStatus.Ok, status);
            Assert.True(packet.IsTruncated);
            Assert.Equal(length - tcpStart - 40, packet.Tcp.Payload.Length);
            Assert.Equal(frame.Length - tcpStart - 40, packet.PayloadLength);
            Assert.True(packet.Tcp.TryGetMss(out ushort mss));
            Assert.Equal(1460, mss);
            Assert.False(packet.VerifyChecksums());
        }
    }

    [Theory]
    [MemberData(nameof(FrameNames))]
    public void TheUncutFrameParsesWithValidChecksums(string name)
    {
        (LinkType linkType, byte[] frame, int networkOffset, _) = Frames[name];

        Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(linkType, frame, out TcpPacket packet));

        Assert.Equal(networkOffset, packet.NetworkOffset);
        Assert.False(packet.IsTruncated);
        Assert.True(packet.VerifyChecksums());
    }

    public static TheoryData<string> FrameNames() => new(Frames.Keys);

    private static Dictionary<string, (LinkType, byte[], int, int)> BuildFrames()
    {
        var random = new Random(100);
        byte[] ipv4 = RandomTcpPackets.Ipv4(random, 8, RandomTcpPackets.Tcp(random, SynOptions, payloadLength: 16));
        byte[] ipv6 = RandomTcpPackets.Ipv6(random, RandomTcpPackets.Tcp(random, SynOptions, payloadLength: 16));
        byte[] ipv6WithExtensions = WithExtensions(ipv6, (HopByHopType, HopByHop(8)), (DestinationOptionsType, DestinationOptions(16)));
        var frames = new Dictionary<string, (LinkType, byte[], int, int)>();

        void Add(string name, LinkType linkType, byte[] ip, int ipHeaderLength)
        {
            byte[] frame = LinkFrames.Wrap(linkType, ip, out int offset);
            frames.Add(name, (linkType, frame, offset, ipHeaderLength));
        }

        foreach (LinkType linkType in LinkFrames.All)
        {
            if (linkType != LinkType.Ipv6)
            {
                Add($"{linkType} IPv4", linkType, ipv4, 28);
            }

            if (linkType != LinkType.Ipv4)
            {
                Add($"{linkType} IPv6", linkType, ipv6, 40);
            }
        }

        Add("Raw IPv6 with extension headers", LinkType.Raw, ipv6WithExtensions, 64);
        frames.Add("Ethernet 802.1ad+802.1Q IPv4", (LinkType.Ethernet, [.. LinkFrames.Ethernet(LinkFrames.EtherTypeIpv4, (0x88A8, 7), (0x8100, 42)), .. ipv4], 22, 28));
        frames.Add("Ethernet 802.1Q IPv6", (LinkType.Ethernet, [.. LinkFrames.Ethernet(LinkFrames.EtherTypeIpv6, (0x8100, 42)), .. ipv6WithExtensions], 18, 64));
        return frames;
    }
}
