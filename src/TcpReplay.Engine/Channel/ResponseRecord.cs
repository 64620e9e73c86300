using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// Intercept → copier records (<c>msg_server_t</c>, src/communication/tc_msg.h): a 20-byte IPv4 header, a 20-byte
/// TCP header and 24 bytes of TCP options (64 bytes), plus 128 payload bytes in the payload variant (192 bytes).
/// All fields are the packet's own network-order bytes.
/// </summary>
/// <remarks>
/// <para>
/// Records this class writes are always in canonical form: IHL is 5 (IP options dropped), the TCP header starts at
/// byte 20 and its data offset is at most 11 words, the IPv4 total length is reduced by every header byte dropped so
/// that "total length − 20 − data offset × 4" is still the response's payload length, and the IPv4 header checksum is
/// valid. A record from C intercept can differ (it keeps IHL, data offset and total length of the captured packet,
/// tc_router.c <c>router_update</c>); <see cref="Normalize"/> rewrites such a record into canonical form, so the
/// copier can read every record with ordinary IPv4/TCP header views.
/// </para>
/// <para>
/// The payload variant carries the payload only when it is at most <see cref="ChannelProtocol.ResponsePayloadBytes"/>
/// bytes long; otherwise the payload area is zero and only the total length tells its size.
/// </para>
/// </remarks>
public static class ResponseRecord
{
    internal const int IpHeaderSize = 20;
    internal const int TcpHeaderSize = 20;
    internal const int TcpOffset = IpHeaderSize;
    internal const int OptionsOffset = TcpOffset + TcpHeaderSize;
    internal const int MaxTcpHeaderSize = TcpHeaderSize + ChannelProtocol.ResponseOptionBytes;
    internal const int PayloadOffset = ChannelProtocol.ResponseRecordSize;

    internal const int IpVersionIhlOffset = 0;
    internal const int IpTotalLengthOffset = 2;
    internal const int IpChecksumOffset = 10;
    internal const int TcpDataOffsetOffset = 12;

    private const byte OptionEnd = 0;
    private const byte OptionNop = 1;

    /// <summary>
    /// Encodes a captured IPv4/TCP packet (starting at its IPv4 header) into a record; the intercept side.
    /// </summary>
    /// <param name="ipPacket">The packet from its IPv4 header on. It may be cut short by the capture length after the headers.</param>
    /// <param name="withPayload">Build the 192-byte payload variant instead of the 64-byte record.</param>
    /// <param name="destination">Receives the record; at least <see cref="ChannelProtocol.RecordSize"/> bytes. Only the record's bytes are written.</param>
    /// <returns>The record size written, or 0 when the packet is not a well-formed IPv4/TCP packet.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the record size.</exception>
    public static int Encode(ReadOnlySpan<byte> ipPacket, bool withPayload, Span<byte> destination) =>
        TryEncode(ipPacket, withPayload, destination, out var written) == ResponseRecordStatus.Ok ? written : 0;

    /// <summary>As <see cref="Encode"/>, and says why a packet was refused.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the record size.</exception>
    public static ResponseRecordStatus TryEncode(ReadOnlySpan<byte> ipPacket, bool withPayload, Span<byte> destination, out int written)
    {
        written = 0;
        var recordSize = ChannelProtocol.RecordSize(withPayload);
        if (destination.Length < recordSize)
        {
            ChannelThrowHelper.ThrowDestinationTooShort(nameof(destination), recordSize);
        }

        var status = CheckPacket(ipPacket, out var ipHeaderLength, out var tcpHeaderLength, out var totalLength);
        if (status != ResponseRecordStatus.Ok)
        {
            return status;
        }

        var record = destination[..recordSize];
        record.Clear();
        ipPacket[..IpHeaderSize].CopyTo(record);

        var tcp = ipPacket.Slice(ipHeaderLength, tcpHeaderLength);
        int recordTcpLength;
        if (tcpHeaderLength <= MaxTcpHeaderSize)
        {
            tcp.CopyTo(record[TcpOffset..]);
            recordTcpLength = tcpHeaderLength;
        }
        else
        {
            tcp[..TcpHeaderSize].CopyTo(record[TcpOffset..]);
            CopyWholeOptions(tcp[TcpHeaderSize..], record.Slice(OptionsOffset, ChannelProtocol.ResponseOptionBytes));
            recordTcpLength = MaxTcpHeaderSize;
            SetDataOffset(record, recordTcpLength);
        }

        var payloadLength = totalLength - ipHeaderLength - tcpHeaderLength;
        if (withPayload && payloadLength > 0 && payloadLength <= ChannelProtocol.ResponsePayloadBytes)
        {
            // A capture cut short after the headers still yields a record; the missing tail stays zero.
            var available = ipPacket[(ipHeaderLength + tcpHeaderLength)..];
            var copied = Math.Min(payloadLength, available.Length);
            available[..copied].CopyTo(record[(TcpOffset + recordTcpLength)..]);
        }

        if (ipHeaderLength != IpHeaderSize || recordTcpLength != tcpHeaderLength)
        {
            // Header bytes were dropped: shrink the total length by as much so that it still gives the payload
            // length, and keep the header checksum valid. A packet that needed no change is copied as C does.
            record[IpVersionIhlOffset] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(record[IpTotalLengthOffset..], (ushort)(IpHeaderSize + recordTcpLength + payloadLength));
            WriteIpChecksum(record);
        }

        written = recordSize;
        return ResponseRecordStatus.Ok;
    }

    /// <summary>
    /// Validates a received record and rewrites it in place into canonical form (see the type remarks); the copier side.
    /// A record already in canonical form is left byte-for-byte unchanged.
    /// </summary>
    /// <param name="record">One record as received, at least <see cref="ChannelProtocol.RecordSize"/> bytes; only those bytes are used.</param>
    /// <param name="withPayload">The record is the 192-byte payload variant.</param>
    public static ResponseRecordStatus Normalize(Span<byte> record, bool withPayload)
    {
        var recordSize = ChannelProtocol.RecordSize(withPayload);
        if (record.Length < recordSize)
        {
            return ResponseRecordStatus.TooShort;
        }

        record = record[..recordSize];
        var status = FromPeek(Ipv4HeaderPeek.TryPeek(record, out var ip));
        if (status != ResponseRecordStatus.Ok)
        {
            return status;
        }

        if (!ip.IsTcp)
        {
            return ResponseRecordStatus.NotTcp;
        }

        // The TCP header is at byte 20 whatever the IHL says: C intercept copies 20 bytes of IP header.
        var ipHeaderLength = ip.HeaderLength;
        var tcpHeaderLength = new TcpHeaderPeek(record[TcpOffset..]).HeaderLength;
        if (tcpHeaderLength < TcpHeaderSize)
        {
            return ResponseRecordStatus.BadTcpHeaderLength;
        }

        var totalLength = ip.TotalLength;
        if (totalLength < ipHeaderLength + tcpHeaderLength)
        {
            return ResponseRecordStatus.BadTotalLength;
        }

        if (ipHeaderLength == IpHeaderSize && tcpHeaderLength <= MaxTcpHeaderSize)
        {
            return ResponseRecordStatus.Ok;
        }

        // C intercept copied 20 bytes of IP header (options dropped) but kept IHL and the total length.
        var payloadLength = totalLength - ipHeaderLength - tcpHeaderLength;
        if (tcpHeaderLength > MaxTcpHeaderSize)
        {
            // C copied the first 44 TCP header bytes, kept the data offset, and (payload variant) wrote the
            // payload right after where the full header would have ended.
            Span<byte> options = stackalloc byte[ChannelProtocol.ResponseOptionBytes];
            var recordOptions = record.Slice(OptionsOffset, ChannelProtocol.ResponseOptionBytes);
            recordOptions.CopyTo(options);
            recordOptions.Clear();
            CopyWholeOptions(options, recordOptions);
            SetDataOffset(record, MaxTcpHeaderSize);

            if (withPayload)
            {
                var payloadArea = record[PayloadOffset..];
                var cStart = TcpOffset + tcpHeaderLength;
                if (payloadLength > 0 && payloadLength <= ChannelProtocol.ResponsePayloadBytes && cStart < recordSize)
                {
                    var moved = Math.Min(payloadLength, recordSize - cStart);
                    record.Slice(cStart, moved).CopyTo(payloadArea);
                    payloadArea[moved..].Clear();
                }
                else
                {
                    payloadArea.Clear();
                }
            }

            tcpHeaderLength = MaxTcpHeaderSize;
        }

        record[IpVersionIhlOffset] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(record[IpTotalLengthOffset..], (ushort)(IpHeaderSize + tcpHeaderLength + payloadLength));
        WriteIpChecksum(record);
        return ResponseRecordStatus.Ok;
    }

    /// <summary>
    /// The response's TCP payload length in bytes, from a canonical record: total length − 20 − data offset × 4.
    /// It may exceed what the record carries. Returns -1 for a record shorter than 64 bytes or inconsistent.
    /// </summary>
    public static int GetPayloadLength(ReadOnlySpan<byte> record)
    {
        if (record.Length < ChannelProtocol.ResponseRecordSize)
        {
            return -1;
        }

        var length = new Ipv4HeaderPeek(record).TotalLength - IpHeaderSize - new TcpHeaderPeek(record[TcpOffset..]).HeaderLength;
        return length < 0 ? -1 : length;
    }

    /// <summary>
    /// The payload bytes a canonical payload-variant record carries: true with the payload when the response had
    /// 1 to 128 payload bytes; false for a 64-byte record, an empty payload, or a payload too long to be carried.
    /// </summary>
    public static bool TryGetPayload(ReadOnlySpan<byte> record, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (record.Length < ChannelProtocol.ResponseRecordWithPayloadSize)
        {
            return false;
        }

        var length = GetPayloadLength(record);
        if (length <= 0 || length > ChannelProtocol.ResponsePayloadBytes)
        {
            return false;
        }

        var start = TcpOffset + new TcpHeaderPeek(record[TcpOffset..]).HeaderLength;
        payload = record.Slice(start, length);
        return true;
    }

    private static ResponseRecordStatus CheckPacket(ReadOnlySpan<byte> packet, out int ipHeaderLength, out int tcpHeaderLength, out int totalLength)
    {
        ipHeaderLength = 0;
        tcpHeaderLength = 0;
        totalLength = 0;
        var status = FromPeek(Ipv4HeaderPeek.TryPeek(packet, out var ip));
        if (status != ResponseRecordStatus.Ok)
        {
            return status;
        }

        ipHeaderLength = ip.HeaderLength;
        if (!ip.IsTcp)
        {
            return ResponseRecordStatus.NotTcp;
        }

        if (ip.FragmentOffset != 0)
        {
            return ResponseRecordStatus.Fragment;
        }

        var tcp = new TcpHeaderPeek(ip.AfterHeader);
        if (!tcp.HasFixedHeader)
        {
            return ResponseRecordStatus.TooShort;
        }

        tcpHeaderLength = tcp.HeaderLength;
        if (tcpHeaderLength < TcpHeaderSize)
        {
            return ResponseRecordStatus.BadTcpHeaderLength;
        }

        if (packet.Length < ipHeaderLength + tcpHeaderLength)
        {
            return ResponseRecordStatus.TooShort;
        }

        totalLength = ip.TotalLength;
        return totalLength < ipHeaderLength + tcpHeaderLength ? ResponseRecordStatus.BadTotalLength : ResponseRecordStatus.Ok;
    }

    private static ResponseRecordStatus FromPeek(PacketParseStatus status) => status switch
    {
        PacketParseStatus.Ok => ResponseRecordStatus.Ok,
        PacketParseStatus.BadIpVersion => ResponseRecordStatus.NotIPv4,
        PacketParseStatus.BadIpHeaderLength => ResponseRecordStatus.BadIpHeaderLength,
        _ => ResponseRecordStatus.TooShort,
    };

    /// <summary>
    /// Copies, in order, every whole option of <paramref name="source"/> that still fits into <paramref name="destination"/>
    /// (which must be zero: zero is End of Option List). A cut option would make the list unparsable, so options that do
    /// not fit are skipped; Linux sends timestamps before SACK blocks, so the timestamp survives.
    /// </summary>
    private static void CopyWholeOptions(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var read = 0;
        var write = 0;
        while (read < source.Length)
        {
            var kind = source[read];
            if (kind == OptionEnd)
            {
                return;
            }

            var length = 1;
            if (kind != OptionNop)
            {
                if (read + 1 >= source.Length || source[read + 1] < 2 || read + source[read + 1] > source.Length)
                {
                    return; // malformed or cut by the capture: nothing after it can be trusted
                }

                length = source[read + 1];
            }

            if (write + length <= destination.Length)
            {
                source.Slice(read, length).CopyTo(destination[write..]);
                write += length;
            }

            read += length;
        }
    }

    private static void SetDataOffset(Span<byte> record, int tcpHeaderLength)
    {
        var at = TcpOffset + TcpDataOffsetOffset;
        record[at] = (byte)(((tcpHeaderLength / 4) << 4) | (record[at] & 0x0F));
    }

    private static void WriteIpChecksum(Span<byte> record)
    {
        record[IpChecksumOffset] = 0;
        record[IpChecksumOffset + 1] = 0;
        uint sum = 0;
        for (var i = 0; i < IpHeaderSize; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(record[i..]);
        }

        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(record[IpChecksumOffset..], (ushort)~sum);
    }
}
