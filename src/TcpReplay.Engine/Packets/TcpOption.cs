using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// One TCP option with a length byte, as yielded by <see cref="TcpOptionEnumerator"/>. It borrows the
/// packet's bytes: writing to <see cref="Data"/> changes the packet without updating its checksum.
/// </summary>
public readonly ref struct TcpOption
{
    internal TcpOption(TcpOptionKind kind, Span<byte> data, int offset)
    {
        Kind = kind;
        Data = data;
        Offset = offset;
    }

    public TcpOptionKind Kind { get; }

    /// <summary>The bytes after the kind and length bytes (length − 2 of them).</summary>
    public Span<byte> Data { get; }

    /// <summary>The byte offset of the option's kind byte from the start of the TCP header.</summary>
    public int Offset { get; }

    /// <summary>The number of whole SACK blocks (RFC 2018 §3) in a <see cref="TcpOptionKind.Sack"/> option; 0 for other kinds.</summary>
    public int SackBlockCount => Kind == TcpOptionKind.Sack ? Data.Length / TcpFields.SackBlockLength : 0;

    /// <summary>Reads SACK block <paramref name="index"/>: the left edge (first sequence number) and right edge (one past the last).</summary>
    /// <returns>False when this is not a SACK option or <paramref name="index"/> is out of range.</returns>
    public bool TryGetSackBlock(int index, out uint leftEdge, out uint rightEdge)
    {
        if ((uint)index >= (uint)SackBlockCount)
        {
            leftEdge = 0;
            rightEdge = 0;
            return false;
        }

        ReadOnlySpan<byte> block = Data.Slice(index * TcpFields.SackBlockLength, TcpFields.SackBlockLength);
        leftEdge = BinaryPrimitives.ReadUInt32BigEndian(block);
        rightEdge = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(4));
        return true;
    }
}
