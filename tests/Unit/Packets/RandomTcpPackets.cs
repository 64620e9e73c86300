using System.Net;
using PacketDotNet.Utils;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>
/// Builds IP/TCP packets with PacketDotNet from seeded random values: the packets the oracle tests
/// parse. Checksums are computed by PacketDotNet, never by the code under test.
/// </summary>
internal static class RandomTcpPackets
{
    public static byte[] Ipv4(Random random, int maxPayload = 1400, bool withIpOptions = false)
        => Ipv4(random, withIpOptions ? 4 * random.Next(1, 11) : 0, Tcp(random, maxPayload));

    public static byte[] Ipv4(Random random, int ipOptionsLength, Pdn.TcpPacket tcp)
    {
        byte[] ipHeader = new byte[20 + ipOptionsLength];
        ipHeader[0] = (byte)(0x40 | (ipHeader.Length / 4));
        ipHeader[3] = (byte)ipHeader.Length;
        // IPv4 options: NOPs and an End of Option List are always well formed.
        for (int i = 20; i < ipHeader.Length; i++)
        {
            ipHeader[i] = 1;
        }

        var ip = new Pdn.IPv4Packet(new ByteArraySegment(ipHeader))
        {
            SourceAddress = RandomIpv4(random),
            DestinationAddress = RandomIpv4(random),
            TimeToLive = random.Next(1, 256),
            Id = (ushort)random.Next(0, 65536),
            FragmentFlags = random.Next(2) == 0 ? 0 : 2,
            DifferentiatedServices = random.Next(0, 256),
        };
        ip.PayloadPacket = tcp;
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        return ip.Bytes;
    }

    public static byte[] Ipv6(Random random, int maxPayload = 1400)
        => Ipv6(random, Tcp(random, maxPayload));

    public static byte[] Ipv6(Random random, Pdn.TcpPacket tcp)
    {
        var ip = new Pdn.IPv6Packet(RandomIpv6(random), RandomIpv6(random))
        {
            HopLimit = random.Next(1, 256),
            TrafficClass = random.Next(0, 256),
            FlowLabel = random.Next(0, 1 << 20),
        };
        ip.PayloadPacket = tcp;
        tcp.UpdateTcpChecksum();
        return ip.Bytes;
    }

    public static byte[] Ip(Random random, int maxPayload = 1400)
        => random.Next(2) == 0 ? Ipv4(random, maxPayload, withIpOptions: random.Next(4) == 0) : Ipv6(random, maxPayload);

    public static Pdn.TcpPacket Tcp(Random random, int maxPayload)
        => Tcp(random, Options(random), random.Next(0, maxPayload + 1));

    public static Pdn.TcpPacket Tcp(Random random, byte[] options, int payloadLength)
    {
        byte[] header = new byte[20 + options.Length];
        header[12] = (byte)((header.Length / 4) << 4);
        var tcp = new Pdn.TcpPacket(new ByteArraySegment(header))
        {
            SourcePort = (ushort)random.Next(0, 65536),
            DestinationPort = (ushort)random.Next(0, 65536),
            SequenceNumber = (uint)random.NextInt64(0, 1L << 32),
            AcknowledgmentNumber = (uint)random.NextInt64(0, 1L << 32),
            Flags = (ushort)random.Next(0, 256),
            WindowSize = (ushort)random.Next(0, 65536),
            UrgentPointer = random.Next(0, 65536),
            Options = options,
        };
        byte[] payload = new byte[payloadLength];
        random.NextBytes(payload);
        tcp.PayloadData = payload;
        return tcp;
    }

    /// <summary>
    /// A well-formed, padded option list of 0 to 40 bytes: MSS, Window Scale, SACK-Permitted,
    /// Timestamps, SACK, an unassigned kind, in random order, sometimes NOP-aligned and sometimes
    /// not (so that fields land on odd offsets too), ending with NOPs or an End of Option List.
    /// </summary>
    public static byte[] Options(Random random)
    {
        var bytes = new List<byte>();
        List<byte[]> candidates =
        [
            [2, 4, (byte)random.Next(256), (byte)random.Next(256)],
            [3, 3, (byte)random.Next(15)],
            [4, 2],
            Timestamps(random),
            Sack(random, random.Next(1, 4)),
            [253, 4, (byte)random.Next(256), (byte)random.Next(256)],
        ];
        bool alignWithNops = random.Next(2) == 0;
        foreach (byte[] option in candidates.OrderBy(_ => random.Next()))
        {
            if (random.Next(3) == 0)
            {
                continue;
            }

            int nops = alignWithNops ? (4 - (bytes.Count % 4)) % 4 : random.Next(0, 2);
            if (bytes.Count + nops + option.Length > 40)
            {
                continue;
            }

            bytes.AddRange(Enumerable.Repeat((byte)1, nops));
            bytes.AddRange(option);
        }

        if (bytes.Count % 4 != 0)
        {
            // Pad with End of Option List and zeros, or with NOPs.
            bool endOfList = random.Next(2) == 0;
            while (bytes.Count % 4 != 0)
            {
                bytes.Add(endOfList ? (byte)0 : (byte)1);
            }
        }

        return [.. bytes];
    }

    public static byte[] Timestamps(Random random)
    {
        byte[] option = new byte[10];
        option[0] = 8;
        option[1] = 10;
        random.NextBytes(option.AsSpan(2));
        return option;
    }

    public static byte[] Sack(Random random, int blocks)
    {
        byte[] option = new byte[2 + (8 * blocks)];
        option[0] = 5;
        option[1] = (byte)option.Length;
        random.NextBytes(option.AsSpan(2));
        return option;
    }

    public static IPAddress RandomIpv4(Random random)
    {
        byte[] bytes = new byte[4];
        random.NextBytes(bytes);
        return new IPAddress(bytes);
    }

    public static IPAddress RandomIpv6(Random random)
    {
        byte[] bytes = new byte[16];
        random.NextBytes(bytes);

        // Keep the oracle's IPAddress from reading these as IPv4-mapped.
        bytes[0] = 0x20;
        return new IPAddress(bytes);
    }
}
