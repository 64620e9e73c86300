using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// Passes every packet to the real sender and notes when each connection's SYN went out, by client (fake) port,
/// so the close rule is measured from the moment the target could see the connection start, not from the
/// hand-over to the engine (which a cold JIT or a busy host can delay by a hundred milliseconds).
/// </summary>
/// <remarks>
/// Called on the engine thread; read from the replay thread. One long per port, no allocation. When the real sender
/// batches (sendmmsg), so does this one: without it every packet of a replay took a system call of its own, which at
/// Max was most of the engine thread's time. A held SYN is noted when its batch has gone, not when it was held (with
/// <see cref="ThreadedRawIpSender"/>, only at Max, where the timeline reads no SYN time: when it went to the sending thread).
/// </remarks>
internal sealed class SynWatchSender(IPacketSender inner, PrecisionScheduler clock) : IBatchingPacketSender, IConnectionStarts
{
    private readonly long[] _synSentAt = new long[65536];
    private readonly IBatchingPacketSender? _batching = inner as IBatchingPacketSender;

    // Client ports of the SYNs in the batch held now; a batch rarely holds more than a few.
    private readonly List<ushort> _heldSyns = [];

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        var result = inner.Send(ipPacket, destination);
        if (IsSyn(ipPacket, out var port))
        {
            Volatile.Write(ref _synSentAt[port], clock.Now);
        }

        return result;
    }

    public bool TryHold(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        if (_batching is null || !_batching.TryHold(ipPacket, destination))
        {
            return false;
        }

        if (IsSyn(ipPacket, out var port))
        {
            _heldSyns.Add(port);
        }

        return true;
    }

    public void Flush(ISendOutcome outcome)
    {
        if (_batching is null)
        {
            return;
        }

        _batching.Flush(outcome);
        if (_heldSyns.Count == 0)
        {
            return;
        }

        var now = clock.Now;
        foreach (var port in _heldSyns)
        {
            Volatile.Write(ref _synSentAt[port], now);
        }

        _heldSyns.Clear();
    }

    public bool TryGetStart(ushort clientPort, long notBefore, out long sentAt)
    {
        sentAt = Volatile.Read(ref _synSentAt[clientPort]);
        return sentAt != 0 && sentAt >= notBefore;
    }

    public void Dispose() => inner.Dispose();

    private static bool IsSyn(ReadOnlySpan<byte> ipPacket, out ushort sourcePort)
    {
        sourcePort = 0;
        if (Ipv4HeaderPeek.TryPeek(ipPacket, out var ip) != PacketParseStatus.Ok)
        {
            return false;
        }

        var tcp = new TcpHeaderPeek(ip.AfterHeader);
        if (!tcp.HasFlags || !ReplayConnection.IsBareSyn(tcp.Flags))
        {
            return false;
        }

        sourcePort = tcp.SourcePort;
        return true;
    }
}
