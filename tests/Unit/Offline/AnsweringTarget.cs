using System.Collections.Concurrent;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Offline;

/// <summary>
/// A sender that plays a tiny target server: it answers the copier's SYN with a SYN-ACK, acknowledges data, answers a
/// FIN with its own FIN, by handing the packets straight back to the replay's engine as an intercept would.
/// </summary>
internal sealed class AnsweringTarget : IPacketSender, IInterceptChannel
{
    private const uint TargetIsn = 70_000;

    public OfflineReplay? Replay { get; set; }

    public ConcurrentQueue<(long At, uint Source, ushort SourcePort, TcpFlags Flags, int Payload)> Received { get; } = new();

    public bool IsConnected => true;

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        var copy = ipPacket.ToArray();
        if (TcpPacket.TryParseIp(copy, out var packet) != PacketParseStatus.Ok)
        {
            return 0;
        }

        var tcp = packet.Tcp;
        var flags = tcp.Flags;
        var payload = packet.PayloadLength;
        Received.Enqueue((System.Diagnostics.Stopwatch.GetTimestamp(), packet.Ipv4.SourceAddress, tcp.SourcePort, flags, payload));
        var engine = Replay!.Engine;
        var client = packet.Ipv4.SourceAddress;
        var port = tcp.SourcePort;
        var server = packet.Ipv4.DestinationAddress;
        var serverPort = tcp.DestinationPort;
        if ((flags & TcpFlags.Rst) != 0)
        {
            return 0;
        }

        if ((flags & TcpFlags.Syn) != 0)
        {
            Answer(engine, server, serverPort, client, port, TargetIsn, tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack);
        }
        else if ((flags & TcpFlags.Fin) != 0)
        {
            Answer(engine, server, serverPort, client, port, TargetIsn + 1, tcp.SequenceNumber + (uint)payload + 1, TcpFlags.Fin | TcpFlags.Ack);
        }
        else if (payload > 0)
        {
            Answer(engine, server, serverPort, client, port, TargetIsn + 1, tcp.SequenceNumber + (uint)payload, TcpFlags.Ack);
        }

        return 0;
    }

    public void AddClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
    {
    }

    public void RemoveClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
    {
    }

    public void Dispose()
    {
    }

    private static void Answer(CopyEngine engine, uint source, ushort sourcePort, uint destination, ushort destinationPort, uint seq, uint ack, TcpFlags flags)
    {
        Span<byte> packet = stackalloc byte[128];
        Span<byte> options = stackalloc byte[8];
        var optionLength = (flags & TcpFlags.Syn) != 0 ? SegmentWriter.WriteSynOptions(options, 1460, 7) : 0;
        var length = SegmentWriter.Write(packet, source, sourcePort, destination, destinationPort, seq, ack, flags, 65535, options[..optionLength], [], 3);
        engine.PostTargetPacket(packet[..length]);
    }
}
