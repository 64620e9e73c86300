using System.Buffers.Binary;
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
    private const byte Syn = 0x02;
    private const byte Ack = 0x10;
    private readonly long[] _synSentAt = new long[65536];

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        var result = inner.Send(ipPacket, destination);
        if (ipPacket.Length >= 20 && ipPacket[0] >> 4 == 4)
        {
            var ihl = (ipPacket[0] & 0x0F) * 4;
            if (ipPacket.Length >= ihl + 14 && (ipPacket[ihl + 13] & (Syn | Ack)) == Syn)
            {
                Volatile.Write(ref _synSentAt[BinaryPrimitives.ReadUInt16BigEndian(ipPacket[ihl..])], clock.Now);
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
