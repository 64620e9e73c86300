using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// Passes every packet to the real sender and notes when each connection's SYN went out, by client (fake) port,
/// so the close rule is measured from the moment the target could see the connection start, not from the
/// hand-over to the engine (which a cold JIT or a busy host can delay by a hundred milliseconds).
/// </summary>
/// <remarks>Called on the engine thread; read from the replay thread. One long per port, no allocation.</remarks>
internal sealed class SynWatchSender(IPacketSender inner, PrecisionScheduler clock) : IPacketSender, IConnectionStarts
{
    private readonly long[] _synSentAt = new long[65536];

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        var result = inner.Send(ipPacket, destination);
        if (Ipv4HeaderPeek.TryPeek(ipPacket, out var ip) == PacketParseStatus.Ok)
        {
            var tcp = new TcpHeaderPeek(ip.AfterHeader);
            if (tcp.HasFlags && (tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
            {
                Volatile.Write(ref _synSentAt[tcp.SourcePort], clock.Now);
            }
        }

        return result;
    }

    public bool TryGetStart(ushort clientPort, long notBefore, out long sentAt)
    {
        sentAt = Volatile.Read(ref _synSentAt[clientPort]);
        return sentAt != 0 && sentAt >= notBefore;
    }

    public void Dispose() => inner.Dispose();
}
