using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Connections;

/// <summary>Writes the copier's own IPv4/TCP segments (SYN, ACK, FIN, RST) with correct checksums.</summary>
internal static class SegmentWriter
{
    public const int MaxControlSegment = Ipv4HeaderLength + 20 + 40;
    private const int Ipv4HeaderLength = 20;

    /// <summary>Writes an IPv4 packet holding one TCP segment; returns its length.</summary>
    public static int Write(Span<byte> destination, uint sourceAddress, ushort sourcePort, uint destinationAddress, ushort destinationPort,
        uint sequence, uint acknowledgment, TcpFlags flags, ushort window, ReadOnlySpan<byte> options, ReadOnlySpan<byte> payload, ushort identification)
    {
        var tcpHeaderLength = 20 + ((options.Length + 3) & ~3);
        var totalLength = Ipv4HeaderLength + tcpHeaderLength + payload.Length;
        var packet = destination[..totalLength];
        packet.Clear();

        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(packet[4..], identification);
        packet[6] = 0x40; // DF: the copier never wants its segments fragmented on the way to the target.
        packet[8] = 64;
        packet[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(packet[12..], sourceAddress);
        BinaryPrimitives.WriteUInt32BigEndian(packet[16..], destinationAddress);
        BinaryPrimitives.WriteUInt16BigEndian(packet[10..], InternetChecksum.Compute(packet[..Ipv4HeaderLength]));

        var tcp = packet[Ipv4HeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], acknowledgment);
        tcp[12] = (byte)((tcpHeaderLength / 4) << 4);
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], window);
        options.CopyTo(tcp[20..]);
        for (var i = 20 + options.Length; i < tcpHeaderLength; i++)
        {
            tcp[i] = 1; // NOP padding to a 4-byte boundary.
        }

        payload.CopyTo(tcp[tcpHeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], InternetChecksum.ComputeTcpIpv4(sourceAddress, destinationAddress, tcp));
        return totalLength;
    }

    /// <summary>SYN options: MSS, then window scale (RFC 7323), padded with NOPs.</summary>
    public static int WriteSynOptions(Span<byte> destination, ushort mss, byte windowScale)
    {
        destination[0] = 2;
        destination[1] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], mss);
        destination[4] = 1;
        destination[5] = 3;
        destination[6] = 3;
        destination[7] = windowScale;
        return 8;
    }
}
