using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// A view over a TCP header and the captured part of its payload (RFC 9293 §3.1). It borrows the
/// span it was parsed from and is valid only while that buffer is. Values are host-order numbers of
/// the big-endian fields.
/// </summary>
/// <remarks>
/// The setters in <c>TcpHeader.Rewrite.cs</c> keep the checksum right incrementally, whether or not
/// the payload was fully captured. A <c>default</c> value has no bytes; create views with
/// <see cref="TryParse"/> only.
/// </remarks>
public readonly ref partial struct TcpHeader
{
    private readonly Span<byte> _bytes;

    private TcpHeader(Span<byte> bytes) => _bytes = bytes;

    /// <summary>
    /// Parses the TCP header at the start of <paramref name="segment"/>. Without the IP layer's
    /// lengths, a header longer than the span counts as <see cref="PacketParseStatus.Truncated"/>;
    /// <see cref="TcpPacket"/> tells that apart from a bad data offset.
    /// </summary>
    /// <param name="segment">The TCP header and the payload bytes that belong to this segment.</param>
    /// <param name="header">On <see cref="PacketParseStatus.Ok"/>, the view over all of <paramref name="segment"/>; otherwise <c>default</c>.</param>
    /// <returns><see cref="PacketParseStatus.Ok"/>; <see cref="PacketParseStatus.Truncated"/> when fewer
    /// than 20 bytes or fewer than the data offset are present; <see cref="PacketParseStatus.BadTcpHeaderLength"/>
    /// when the data offset is below 5; <see cref="PacketParseStatus.BadTcpOptions"/> when an option's
    /// length is missing, below 2 or runs past the header.</returns>
    public static PacketParseStatus TryParse(Span<byte> segment, out TcpHeader header)
        => TryParseDeclared(segment, int.MaxValue, out header);

    /// <summary>
    /// Parses a TCP header whose segment the IP layer declares <paramref name="declaredLength"/> bytes long,
    /// of which <paramref name="captured"/> holds the part that was captured, so that a length error in the
    /// packet (<see cref="PacketParseStatus.BadIpTotalLength"/>, <see cref="PacketParseStatus.BadTcpHeaderLength"/>)
    /// is told apart from a short capture (<see cref="PacketParseStatus.Truncated"/>).
    /// </summary>
    internal static PacketParseStatus TryParseDeclared(Span<byte> captured, int declaredLength, out TcpHeader header)
    {
        header = default;
        if (declaredLength < TcpFields.MinimumHeaderLength)
        {
            return PacketParseStatus.BadIpTotalLength;
        }

        if (captured.Length < TcpFields.MinimumHeaderLength)
        {
            return PacketParseStatus.Truncated;
        }

        int headerLength = ReadHeaderLength(captured);
        if (headerLength < TcpFields.MinimumHeaderLength || headerLength > declaredLength)
        {
            return PacketParseStatus.BadTcpHeaderLength;
        }

        if (headerLength > captured.Length)
        {
            return PacketParseStatus.Truncated;
        }

        if (!AreOptionsWellFormed(captured.Slice(TcpFields.OptionsPosition, headerLength - TcpFields.OptionsPosition)))
        {
            return PacketParseStatus.BadTcpOptions;
        }

        header = new TcpHeader(captured);
        return PacketParseStatus.Ok;
    }

    /// <summary>
    /// True when a segment of <paramref name="declaredLength"/> bytes can hold the TCP header that starts
    /// <paramref name="captured"/>, as far as the captured bytes tell.
    /// </summary>
    internal static bool FitsInDeclaredLength(ReadOnlySpan<byte> captured, int declaredLength)
        => declaredLength >= TcpFields.MinimumHeaderLength
            && (captured.Length <= TcpFields.DataOffsetPosition || ReadHeaderLength(captured) <= declaredLength);

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.SourcePortPosition));

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.DestinationPortPosition));

    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(TcpFields.SequenceNumberPosition));

    public uint AcknowledgmentNumber => BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(TcpFields.AcknowledgmentNumberPosition));

    /// <summary>The header length in bytes, options included (20 to 60).</summary>
    public int HeaderLength => ReadHeaderLength(_bytes);

    /// <summary>The eight control bits. The experimental NS bit (RFC 3540, obsoleted by RFC 8311) is not included.</summary>
    public TcpFlags Flags => (TcpFlags)_bytes[TcpFields.FlagsPosition];

    /// <summary>The unscaled receive window.</summary>
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.WindowPosition));

    /// <summary>The stored checksum.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.ChecksumPosition));

    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.UrgentPointerPosition));

    /// <summary>The option bytes between the fixed header and <see cref="HeaderLength"/>, padding included.</summary>
    public Span<byte> Options => _bytes.Slice(TcpFields.OptionsPosition, HeaderLength - TcpFields.OptionsPosition);

    /// <summary>The captured payload bytes (fewer than the IP layer declares when the capture was cut).</summary>
    public Span<byte> Payload => _bytes.Slice(HeaderLength);

    /// <summary>The header and the captured payload: the bytes the checksum covers when nothing was cut.</summary>
    internal Span<byte> Segment => _bytes;

    private static int ReadHeaderLength(ReadOnlySpan<byte> bytes)
        => (bytes[TcpFields.DataOffsetPosition] >> TcpFields.DataOffsetShift) * TcpFields.DataOffsetUnit;
}
