using System.Collections.Concurrent;
using System.Diagnostics;
using PacketDotNet;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Lab;

/// <summary>A captured packet, copied out of its pooled buffer.</summary>
internal sealed record CapturedPacket(byte[] Bytes, LinkType LinkType, long TimestampNanoseconds)
{
    /// <summary>The TCP segment, decoded by PacketDotNet (the oracle), or null.</summary>
    public TcpPacket? Tcp => Decode()?.Extract<TcpPacket>();

    public EthernetPacket? Ethernet => LinkType == LinkType.Ethernet ? Decode() as EthernetPacket : null;

    private Packet? Decode() => LinkType is LinkType.Ipv4 or LinkType.Raw
        ? new IPv4Packet(new PacketDotNet.Utils.ByteArraySegment(Bytes))
        : Packet.ParsePacket((LinkLayers)(int)LinkType, Bytes);
}

/// <summary>Keeps a copy of every packet and returns each buffer to its pool at once, as a sink must.</summary>
internal sealed class CollectingSink(PacketBufferPool pool) : ICaptureSink
{
    private readonly ConcurrentQueue<CapturedPacket> _packets = new();

    public IReadOnlyCollection<CapturedPacket> Packets => _packets;

    public int Count => _packets.Count;

    public void OnPacket(PacketBuffer buffer, LinkType linkType)
    {
        _packets.Enqueue(new CapturedPacket(buffer.Span.ToArray(), linkType, buffer.TimestampNanoseconds));
        pool.Return(buffer);
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds for the packets so far.</summary>
    public bool WaitUntil(Func<IReadOnlyCollection<CapturedPacket>, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition(_packets))
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return condition(_packets);
    }
}
