using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// A read-only look at the fields of a TCP header (RFC 9293 §3.1) that may be only partly present: the first bytes
/// behind an <see cref="Ipv4HeaderPeek"/>, or the TCP part of a response record. It borrows the span it was made from.
/// Values are host-order numbers of the big-endian fields.
/// </summary>
/// <remarks>
/// Nothing is checked when the view is made: each field reads only its own bytes, and the <c>Has…</c> properties say
/// whether they are there (a field read past the span throws <see cref="IndexOutOfRangeException"/>). Use
/// <see cref="TcpHeader.TryParse"/> for a header that must be whole and well-formed.
/// </remarks>
public readonly ref struct TcpHeaderPeek
{
    private readonly ReadOnlySpan<byte> _bytes;

    /// <param name="segment">The bytes from the TCP header on, as many as were captured.</param>
    public TcpHeaderPeek(ReadOnlySpan<byte> segment) => _bytes = segment;

    /// <summary>True when both ports are present (4 bytes).</summary>
    public bool HasPorts => _bytes.Length >= TcpFields.DestinationPortPosition + TcpFields.PortLength;

    /// <summary>True when the data offset and the flags are present (14 bytes).</summary>
    public bool HasFlags => _bytes.Length >= TcpFields.FlagsPosition + TcpFields.FlagsLength;

    /// <summary>True when the 20-byte fixed header is present.</summary>
    public bool HasFixedHeader => _bytes.Length >= TcpFields.MinimumHeaderLength;

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.SourcePortPosition));

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.DestinationPortPosition));

    /// <summary>The header length in bytes the data offset declares, options included (0 to 60); the bytes may not all be present.</summary>
    public int HeaderLength => (_bytes[TcpFields.DataOffsetPosition] >> TcpFields.DataOffsetShift) * TcpFields.DataOffsetUnit;

    /// <summary>The eight control bits.</summary>
    public TcpFlags Flags => (TcpFlags)_bytes[TcpFields.FlagsPosition];
}
