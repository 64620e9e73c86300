using System.Buffers.Binary;
using System.Net;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>Builds IPv4/TCP packets byte by byte for the channel tests (lab addresses only).</summary>
internal static class ChannelTestPackets
{
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;

    public static readonly uint Target = Address("198.18.0.30");
    public const ushort TargetPort = 8080;

    public static uint Address(string dotted) => BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(dotted).GetAddressBytes());

    public static uint FakeClient(int n) => Address("198.19.0.0") + (uint)n;

    /// <summary>A target → client packet.</summary>
    public static byte[] Response(uint client, ushort clientPort, byte flags, int payloadLength = 0, byte[]? ipOptions = null, byte[]? tcpOptions = null, uint seq = 0x1000, uint target = 0, ushort targetPort = TargetPort) =>
        Packet(target == 0 ? Target : target, targetPort, client, clientPort, flags, payloadLength, ipOptions, tcpOptions, seq);

    public static byte[] Packet(uint source, ushort sourcePort, uint destination, ushort destinationPort, byte flags, int payloadLength, byte[]? ipOptions, byte[]? tcpOptions, uint seq)
    {
        ipOptions ??= [];
        tcpOptions ??= [];
        var ipLength = 20 + ipOptions.Length;
        var tcpLength = 20 + tcpOptions.Length;
        var packet = new byte[ipLength + tcpLength + payloadLength];
        packet[0] = (byte)(0x40 | (ipLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234);
        packet[6] = 0x40;
        packet[8] = 64;
        packet[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), source);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), destination);
        ipOptions.CopyTo(packet, 20);
        var checksum = IpChecksum(packet.AsSpan(0, ipLength));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), checksum);

        var tcp = packet.AsSpan(ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 0x2001);
        tcp[12] = (byte)((tcpLength / 4) << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 0xFFFF);
        tcpOptions.CopyTo(tcp[20..]);
        for (var i = 0; i < payloadLength; i++)
        {
            tcp[tcpLength + i] = (byte)('a' + (i % 26));
        }

        return packet;
    }

    public static ushort IpChecksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
        {
            if (i == 10)
            {
                continue;
            }

            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    /// <summary>Destination port of a record or packet whose TCP header is at byte 20.</summary>
    public static ushort RecordClientPort(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt16BigEndian(record[22..]);

    public static byte RecordFlags(ReadOnlySpan<byte> record) => record[33];
}
