using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Analysis;

/// <summary>
/// Counts of one connection while a capture is read. "A" is the sender of the first packet seen, "B" the other
/// end; which of them is the client is decided only at the end, when all handshake evidence is in.
/// </summary>
internal sealed class FlowState
{
    public FlowState(int index, UInt128 addressA, ushort portA, UInt128 addressB, ushort portB, long timestampNanoseconds)
    {
        Index = index;
        AddressA = addressA;
        PortA = portA;
        AddressB = addressB;
        PortB = portB;
        FirstNanoseconds = timestampNanoseconds;
        LastNanoseconds = timestampNanoseconds;
    }

    public int Index { get; }

    public UInt128 AddressA { get; }

    public ushort PortA { get; }

    public UInt128 AddressB { get; }

    public ushort PortB { get; }

    public long FirstNanoseconds { get; private set; }

    public long LastNanoseconds { get; private set; }

    public DirectionCounts FromA;

    public DirectionCounts FromB;

    /// <summary>Side that ended the connection first: 'A', 'B', or '\0' while open.</summary>
    public char FirstCloser { get; private set; }

    /// <summary>A connection that was reset, or closed by both sides, is over: a later SYN on the same endpoints opens a new one.</summary>
    public bool IsClosed => FromA.Resets > 0 || FromB.Resets > 0 || (FromA.Fins > 0 && FromB.Fins > 0);

    public void Add(bool fromA, TcpFlags flags, int payloadLength, int frameLength, long timestampNanoseconds)
    {
        ref var counts = ref fromA ? ref FromA : ref FromB;
        counts.Packets++;
        counts.PayloadBytes += payloadLength;
        counts.FrameBytes += frameLength;
        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
        {
            counts.Syns++;
        }
        else if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack))
        {
            counts.SynAcks++;
        }

        if ((flags & TcpFlags.Fin) != 0)
        {
            counts.Fins++;
        }

        if ((flags & TcpFlags.Rst) != 0)
        {
            counts.Resets++;
        }

        if (FirstCloser == '\0' && (flags & (TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            FirstCloser = fromA ? 'A' : 'B';
        }

        // Records are not always in time order (pcapng from several interfaces, reordered writers).
        FirstNanoseconds = Math.Min(FirstNanoseconds, timestampNanoseconds);
        LastNanoseconds = Math.Max(LastNanoseconds, timestampNanoseconds);
    }

    /// <summary>True when A is the client: see <see cref="PcapConnection"/> for the rule.</summary>
    public bool AIsClient()
    {
        if (FromA.Syns > 0 || FromB.Syns > 0)
        {
            return FromA.Syns > 0;
        }

        if (FromA.SynAcks > 0 || FromB.SynAcks > 0)
        {
            return FromB.SynAcks > 0;
        }

        return PortA >= PortB;
    }

    internal struct DirectionCounts
    {
        public long Packets;
        public long PayloadBytes;
        public long FrameBytes;
        public int Syns;
        public int SynAcks;
        public int Fins;
        public int Resets;
    }
}
