using TcpReplay.Engine.Packets;
using static TcpReplay.Engine.Tests.Packets.Ipv6Packets;

namespace TcpReplay.Engine.Tests.Packets;

public class TcpPacketFuzzTests
{
    private static readonly LinkType[] LinkTypesAndAnUnsupportedOne = [.. Enum.GetValues<LinkType>(), (LinkType)12];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MutatedFramesGiveAStatusAndParsedOnesSurviveEveryReadAndRewrite(int seed)
    {
        var random = new Random(seed);
        var seen = new HashSet<PacketParseStatus>();
        for (int i = 0; i < 8000; i++)
        {
            byte[] frame = Mutate(random, BaseFrame(random));
            foreach (LinkType linkType in LinkTypesAndAnUnsupportedOne)
            {
                byte[] copy = (byte[])frame.Clone();
                PacketParseStatus status = TcpPacket.TryParse(linkType, copy, out TcpPacket packet);
                seen.Add(status);
                if (status == PacketParseStatus.Ok)
                {
                    ReadEverything(packet, copy.Length);
                    RewriteEverything(random, packet);
                    Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParse(linkType, copy, out _));
                }
            }
        }

        // The mutations must reach every way a frame can fail, or this test proves little.
        Assert.Superset(new HashSet<PacketParseStatus>(Enum.GetValues<PacketParseStatus>()), seen);
        Assert.Equal(Enum.GetValues<PacketParseStatus>().Length, seen.Count);
    }

    private static byte[] BaseFrame(Random random)
    {
        byte[] ip;
        switch (random.Next(4))
        {
            case 0:
                ip = RandomTcpPackets.Ipv4(random, maxPayload: 64, withIpOptions: random.Next(2) == 0);
                break;
            case 1:
                ip = RandomTcpPackets.Ipv6(random, maxPayload: 64);
                break;
            case 2:
                ip = WithExtensions(
                    RandomTcpPackets.Ipv6(random, maxPayload: 64),
                    (HopByHopType, HopByHop(8)),
                    (AuthenticationHeaderType, AuthenticationHeader(16)),
                    (FragmentType, Fragment(random.Next(2) == 0 ? 0 : 8 * random.Next(1, 100), more: random.Next(2) == 0)));
                break;
            default:
                ip = RandomTcpPackets.Ipv4(random, maxPayload: 64);
                ip[6] = (byte)(random.Next(2) == 0 ? 0x20 : 0x00);
                break;
        }

        LinkType linkType = LinkTypesAndAnUnsupportedOne[random.Next(LinkTypesAndAnUnsupportedOne.Length - 1)];
        return random.Next(10) == 0
            ? [.. LinkFrames.Ethernet(ip[0] >> 4 == 6 ? LinkFrames.EtherTypeIpv6 : LinkFrames.EtherTypeIpv4, (0x8100, 1), (0x8100, 2)), .. ip]
            : LinkFrames.Wrap(linkType, ip, out _);
    }

    private static byte[] Mutate(Random random, byte[] frame)
    {
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.Next(6))
            {
                case 0:
                    frame = frame.AsSpan(0, random.Next(0, frame.Length + 1)).ToArray();
                    break;
                case 1:
                    // Headers are where lengths live: hit the first 100 bytes most.
                    if (frame.Length > 0)
                    {
                        frame[random.Next(Math.Min(frame.Length, 100))] = (byte)random.Next(256);
                    }

                    break;
                case 2:
                    if (frame.Length > 0)
                    {
                        frame[random.Next(frame.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 3:
                    if (frame.Length > 0)
                    {
                        frame[random.Next(Math.Min(frame.Length, 100))] = random.Next(2) == 0 ? (byte)0 : (byte)0xFF;
                    }

                    break;
                case 4:
                    byte[] tail = new byte[random.Next(1, 16)];
                    random.NextBytes(tail);
                    frame = [.. frame, .. tail];
                    break;
                default:
                    break;
            }
        }

        return frame;
    }

    private static void ReadEverything(TcpPacket packet, int frameLength)
    {
        TcpHeader tcp = packet.Tcp;
        Assert.InRange(packet.IpVersion, 4, 6);
        Assert.InRange(tcp.HeaderLength, 20, 60);
        Assert.InRange(packet.PayloadLength, 0, 65535);
        Assert.True(tcp.Payload.Length <= packet.PayloadLength);
        Assert.Equal(!packet.IsTruncated, tcp.Payload.Length == packet.PayloadLength);
        Assert.True(packet.NetworkOffset + tcp.HeaderLength + tcp.Payload.Length <= frameLength);
        _ = packet.SourceAddress128 ^ packet.DestinationAddress128;
        _ = packet.IsFragment;

        if (packet.IpVersion == 4)
        {
            Ipv4Header ip = packet.Ipv4;
            _ = (ip.HeaderLength, ip.TotalLength, ip.Protocol, ip.Ttl, ip.Identification, ip.DontFragment, ip.MoreFragments);
            _ = (ip.FragmentOffset, ip.IsFragment, ip.SourceAddress, ip.DestinationAddress, ip.HeaderChecksum, ip.IsHeaderChecksumValid);
            _ = (ip.Options.Length, ip.Payload.Length, ip.IsTruncated, ip.DifferentiatedServices);
        }
        else
        {
            Ipv6Header ip = packet.Ipv6;
            _ = (ip.PayloadLength, ip.NextHeader, ip.HopLimit, ip.TrafficClass, ip.FlowLabel, ip.UpperLayerProtocol, ip.UpperLayerOffset);
            _ = (ip.IsFragment, ip.FragmentOffset, ip.MoreFragments, ip.SourceAddress.Length, ip.DestinationAddress.Length);
            _ = (ip.UpperLayerPayload.Length, ip.UpperLayerLength, ip.IsTruncated, ip.ExtensionHeadersLength);
        }

        _ = (tcp.SourcePort, tcp.DestinationPort, tcp.SequenceNumber, tcp.AcknowledgmentNumber, tcp.Flags, tcp.Window, tcp.Checksum, tcp.UrgentPointer);
        _ = (tcp.TryGetMss(out _), tcp.TryGetWindowScale(out _), tcp.HasSackPermitted, tcp.TryGetTimestamps(out _, out _));
        foreach (TcpOption option in tcp.EnumerateOptions())
        {
            Assert.InRange(option.Offset, 20, tcp.HeaderLength - 2);
            for (int i = 0; option.TryGetSackBlock(i, out _, out _); i++)
            {
                Assert.True(i < option.SackBlockCount);
            }
        }
    }

    private static void RewriteEverything(Random random, TcpPacket packet)
    {
        _ = packet.VerifyChecksums();
        packet.ComputeChecksums();
        Assert.Equal(!packet.IsTruncated, packet.VerifyChecksums());

        if (packet.IpVersion == 4)
        {
            packet.RewriteIpv4Destination((uint)random.NextInt64(0, 1L << 32), (ushort)random.Next(65536));
            packet.RewriteIpv4Source((uint)random.NextInt64(0, 1L << 32), (ushort)random.Next(65536));
            packet.Ipv4.SetTtl((byte)random.Next(256));
        }

        TcpHeader tcp = packet.Tcp;
        tcp.SetSequenceNumber((uint)random.NextInt64(0, 1L << 32));
        tcp.SetAcknowledgmentNumber((uint)random.NextInt64(0, 1L << 32));
        tcp.SetWindow((ushort)random.Next(65536));
        tcp.SetFlags((TcpFlags)random.Next(256));
        tcp.SetUrgentPointer((ushort)random.Next(65536));
        _ = tcp.TrySetMss((ushort)random.Next(65536));
        _ = tcp.TrySetTimestampEcho((uint)random.NextInt64(0, 1L << 32));
        _ = tcp.TrySetTimestampValue((uint)random.NextInt64(0, 1L << 32));

        // Every incremental update must agree with a full recompute, whatever the bytes are.
        Assert.Equal(!packet.IsTruncated, packet.VerifyChecksums());
    }
}
