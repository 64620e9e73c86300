using System.Buffers.Binary;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Tests.Capture;

namespace TcpReplay.Engine.Tests.Offline;

/// <summary>
/// Builds Ethernet pcap captures of client connections to an online server (both directions, as tcpdump on the
/// online host sees them), with times in microseconds from a fixed start.
/// </summary>
internal sealed class OfflineCapture
{
    public const uint Client = 0xC612000A;   // 198.18.0.10
    public const uint OtherClient = 0xC612000B; // 198.18.0.11
    public const uint Online = 0xC6120014;   // 198.18.0.20
    public const ushort Port = 80;
    public const uint StartSeconds = 1_790_000_000;

    private readonly PcapBuilder _pcap = new();

    public List<long> RecordOffsets => _pcap.RecordOffsets;

    /// <summary>Capture time (Unix ns) of a microsecond offset.</summary>
    public static long TimeOf(long microseconds) => ((long)StartSeconds * 1_000_000_000) + (microseconds * 1000);

    public OfflineCapture Packet(long microseconds, uint source, ushort sourcePort, uint destination, ushort destinationPort,
        uint seq, uint ack, TcpFlags flags, int payload = 0)
    {
        var frame = new byte[14 + 60 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var data = new byte[payload];
        data.AsSpan().Fill((byte)'x');
        Span<byte> options = stackalloc byte[8];
        var optionLength = (flags & TcpFlags.Syn) != 0 ? SegmentWriter.WriteSynOptions(options, 1460, 7) : 0;
        var length = SegmentWriter.Write(frame.AsSpan(14), source, sourcePort, destination, destinationPort, seq, ack, flags, 502, options[..optionLength], data, 1);
        var seconds = StartSeconds + (uint)(microseconds / 1_000_000);
        _pcap.Record(seconds, (uint)(microseconds % 1_000_000), frame[..(14 + length)]);
        return this;
    }

    /// <summary>A whole connection: handshake, one request of 100 bytes and its answer, then the client's FIN at <paramref name="closeAt"/>.</summary>
    public OfflineCapture Connection(uint client, ushort clientPort, long startAt, long closeAt, uint isn = 1000, ushort serverPort = Port)
    {
        const uint serverIsn = 9000;
        Packet(startAt, client, clientPort, Online, serverPort, isn, 0, TcpFlags.Syn);
        Packet(startAt + 50, Online, serverPort, client, clientPort, serverIsn, isn + 1, TcpFlags.Syn | TcpFlags.Ack);
        Packet(startAt + 100, client, clientPort, Online, serverPort, isn + 1, serverIsn + 1, TcpFlags.Ack);
        Packet(startAt + 200, client, clientPort, Online, serverPort, isn + 1, serverIsn + 1, TcpFlags.Ack | TcpFlags.Psh, 100);
        Packet(startAt + 400, Online, serverPort, client, clientPort, serverIsn + 1, isn + 101, TcpFlags.Ack | TcpFlags.Psh, 300);
        Packet(closeAt, client, clientPort, Online, serverPort, isn + 101, serverIsn + 301, TcpFlags.Fin | TcpFlags.Ack);
        Packet(closeAt + 50, Online, serverPort, client, clientPort, serverIsn + 301, isn + 102, TcpFlags.Fin | TcpFlags.Ack);
        return Packet(closeAt + 100, client, clientPort, Online, serverPort, isn + 102, serverIsn + 302, TcpFlags.Ack);
    }

    /// <summary>A keep-alive connection: handshake, <paramref name="requests"/> requests of 40 bytes 1 ms apart with 200-byte answers, FIN.</summary>
    public OfflineCapture KeepAlive(uint client, ushort clientPort, long startAt, int requests, uint isn = 1000)
    {
        const uint serverIsn = 9000;
        Packet(startAt, client, clientPort, Online, Port, isn, 0, TcpFlags.Syn);
        Packet(startAt + 50, Online, Port, client, clientPort, serverIsn, isn + 1, TcpFlags.Syn | TcpFlags.Ack);
        Packet(startAt + 100, client, clientPort, Online, Port, isn + 1, serverIsn + 1, TcpFlags.Ack);
        uint seq = isn + 1, ack = serverIsn + 1;
        var at = startAt + 200;
        for (var i = 0; i < requests; i++, at += 1000)
        {
            Packet(at, client, clientPort, Online, Port, seq, ack, TcpFlags.Ack | TcpFlags.Psh, 40);
            seq += 40;
            Packet(at + 300, Online, Port, client, clientPort, ack, seq, TcpFlags.Ack | TcpFlags.Psh, 200);
            ack += 200;
        }

        Packet(at, client, clientPort, Online, Port, seq, ack, TcpFlags.Fin | TcpFlags.Ack);
        Packet(at + 50, Online, Port, client, clientPort, ack, seq + 1, TcpFlags.Fin | TcpFlags.Ack);
        return Packet(at + 100, client, clientPort, Online, Port, seq + 1, ack + 1, TcpFlags.Ack);
    }

    public byte[] ToArray() => _pcap.ToArray();

    public string WriteTo(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, ToArray());
        return path;
    }
}
