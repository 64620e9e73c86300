using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Connections;

internal enum EngineEventKind : byte
{
    ClientPacket,
    TargetPacket,

    /// <summary>A packet the online server sent to a client, captured on the online host (online versus target).</summary>
    OnlinePacket,
}

/// <summary>A packet handed to the engine thread; the engine owns <see cref="Buffer"/> once it is queued.</summary>
internal readonly record struct EngineEvent(EngineEventKind Kind, PacketBuffer Buffer, LinkType LinkType);
