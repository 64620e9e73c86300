using TcpReplay.Engine.Buffers;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// A client segment held by a copied connection: waiting to be sent, or sent and waiting for the target's
/// acknowledgment. The connection owns <see cref="Buffer"/> and returns it to the pool when the segment is done.
/// </summary>
internal struct PendingSegment
{
    public PacketBuffer Buffer;

    /// <summary>Where the IPv4 packet starts in the buffer, and its total length.</summary>
    public int IpOffset;
    public int IpLength;

    public uint Sequence;
    public int PayloadLength;
    public bool Fin;

    /// <summary>Client data that follows data from the online server: the start of a new request.</summary>
    public bool StartsRequest;

    /// <summary>Causal pacing: the client sent it because of an answer (<see cref="ClientRhythm"/>); it waits for the target's.</summary>
    public bool AwaitsAnswer;

    /// <summary>For a reaction: how long the online server took to give the answer the client reacted to (nanoseconds).</summary>
    public long OnlineAnswerDelay;

    /// <summary>The application's own close (a WebSocket Close frame): held like the TCP close.</summary>
    public bool ApplicationClose;

    /// <summary>The client's acknowledgment number in the segment: where the online server's answer to it starts.</summary>
    public uint ClientAck;

    /// <summary>Addresses and ports already rewritten to the fake client and the target.</summary>
    public bool Rewritten;

    /// <summary>Sent more than once: its acknowledgment says nothing about the round-trip time (Karn's rule).</summary>
    public bool Retransmitted;

    /// <summary>Monotonic nanoseconds: when the capture delivered it, and when it was last sent.</summary>
    public long CapturedAt;
    public long SentAt;

    public readonly uint End => Sequence + (uint)PayloadLength + (Fin ? 1u : 0u);

    public readonly Span<byte> IpPacket => Buffer.Array.AsSpan(IpOffset, IpLength);
}
