using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// TcpReplay's opt-in extension of the intercept 1.x channel: the intercept passes the first bytes of each response's
/// payload (for example an HTTP status line), negotiated per link so that a plain C tcpcopy or intercept on the other
/// end works as before. Byte layouts in docs/protocol.md §9; every field is big-endian.
/// </summary>
/// <remarks>
/// <para>
/// The copier asks with one 14-byte <c>msg_clt_t</c> right after the hello: client address = <see cref="Magic"/>,
/// client port = payload bytes wanted, type = <see cref="RequestType"/>, target address 0, target port =
/// <see cref="Version"/>. C intercept logs "unknown msg type" and ignores it (tc_interception.c
/// <c>tc_msg_event_proc</c>), so a copier that asked of it simply keeps receiving 64-byte records.
/// </para>
/// <para>
/// A TcpReplay intercept answers with one acknowledgment record, alone in its frame, in the link's current framing
/// and record size: bytes 0–3 <see cref="Magic"/> (its first nibble, 5, is no IPv4 version, so it cannot be read as a
/// response), 4–5 the payload bytes granted (0 = declined), 6–7 <see cref="Version"/>, the rest zero. Every record
/// after it on that link is <see cref="RecordSize"/>(granted) bytes: the 64-byte record of intercept 1.x, unchanged,
/// then the intercept's capture time of the packet (8 bytes, nanoseconds since the Unix epoch, 0 = unknown), then a
/// 2-byte count of payload bytes carried, then that many payload bytes from the start of the response's payload,
/// zero-filled to the granted size. Combined frames still hold at most 16 records.
/// </para>
/// </remarks>
public static class ResponsePayloadExtension
{
    /// <summary>"TRPX": marks the request (in its client address field) and the acknowledgment record.</summary>
    public const uint Magic = 0x54525058;

    /// <summary>The <c>type</c> of the request record, "RP"; neither CLIENT_ADD (1) nor CLIENT_DEL (2).</summary>
    public const ushort RequestType = 0x5250;

    /// <summary>Version of this extension's layout.</summary>
    public const ushort Version = 1;

    /// <summary>Largest payload prefix one record may carry.</summary>
    public const int MaxPayloadBytes = 1024;

    /// <summary>Bytes of the capture timestamp and the carried-length field between the 64-byte record and the payload bytes.</summary>
    public const int HeaderSize = 8 + 2;

    private const int TimestampOffset = ChannelProtocol.ResponseRecordSize;
    private const int LengthOffset = TimestampOffset + 8;
    private const int PayloadOffset = LengthOffset + 2;

    /// <summary>Record size on a link that was granted <paramref name="payloadBytes"/>: 64 + 8 + 2 + payload bytes.</summary>
    public static int RecordSize(int payloadBytes) => PayloadOffset + payloadBytes;

    /// <summary>The copier's request for <paramref name="payloadBytes"/> (1 to <see cref="MaxPayloadBytes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="payloadBytes"/> is outside 1..<see cref="MaxPayloadBytes"/>.</exception>
    public static ClientRecord CreateRequest(int payloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(payloadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadBytes, MaxPayloadBytes);
        return new ClientRecord(Magic, (ushort)payloadBytes, (ClientRecordType)RequestType, 0, Version);
    }

    /// <summary>True when <paramref name="record"/> is a request of this extension; <paramref name="payloadBytes"/> is what it asks for.</summary>
    public static bool IsRequest(in ClientRecord record, out int payloadBytes)
    {
        var isRequest = (ushort)record.Type == RequestType && record.ClientAddress == Magic;
        payloadBytes = isRequest ? record.ClientPort : 0;
        return isRequest;
    }

    /// <summary>Writes the acknowledgment into <paramref name="record"/> (one whole record of the link's current size), zero-filled.</summary>
    /// <exception cref="ArgumentException"><paramref name="record"/> is shorter than 8 bytes.</exception>
    public static void WriteAcknowledgment(Span<byte> record, int grantedBytes)
    {
        if (record.Length < 8)
        {
            ChannelThrowHelper.ThrowDestinationTooShort(nameof(record), 8);
        }

        record.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(record, Magic);
        BinaryPrimitives.WriteUInt16BigEndian(record[4..], (ushort)grantedBytes);
        BinaryPrimitives.WriteUInt16BigEndian(record[6..], Version);
    }

    /// <summary>True when <paramref name="record"/> is an acknowledgment; <paramref name="grantedBytes"/> is 0 when declined.</summary>
    public static bool TryReadAcknowledgment(ReadOnlySpan<byte> record, out int grantedBytes)
    {
        grantedBytes = 0;
        if (record.Length < 8 || BinaryPrimitives.ReadUInt32BigEndian(record) != Magic)
        {
            return false;
        }

        grantedBytes = Math.Min((int)BinaryPrimitives.ReadUInt16BigEndian(record[4..]), MaxPayloadBytes);
        return true;
    }

    /// <summary>
    /// Encodes a captured packet (from its IPv4 header) as an extended record carrying up to <paramref name="payloadBytes"/>
    /// payload bytes: the 64-byte record of <see cref="ResponseRecord.TryEncode"/>, the capture time, the carried count, the bytes.
    /// </summary>
    /// <param name="ipPacket">The captured packet from its IPv4 header on; may be cut short after the headers.</param>
    /// <param name="payloadBytes">The granted payload size.</param>
    /// <param name="destination">Receives the record; at least <see cref="RecordSize"/> bytes.</param>
    /// <param name="captureTimestampNanoseconds">When the intercept captured the packet, nanoseconds since the Unix epoch; 0 when unknown.</param>
    /// <returns>The record size written (<see cref="RecordSize"/>), or 0 when the packet is not well-formed IPv4/TCP.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="RecordSize"/>.</exception>
    public static int Encode(ReadOnlySpan<byte> ipPacket, int payloadBytes, Span<byte> destination, long captureTimestampNanoseconds = 0)
    {
        var size = RecordSize(payloadBytes);
        if (destination.Length < size)
        {
            ChannelThrowHelper.ThrowDestinationTooShort(nameof(destination), size);
        }

        if (ResponseRecord.TryEncode(ipPacket, withPayload: false, destination, out _) != ResponseRecordStatus.Ok)
        {
            return 0;
        }

        // TryEncode validated the headers, so these reads are in range.
        var ip = new Ipv4HeaderPeek(ipPacket);
        var headers = ip.HeaderLength + new TcpHeaderPeek(ip.AfterHeader).HeaderLength;
        var declared = ip.TotalLength - headers;
        var carried = Math.Max(0, Math.Min(Math.Min(declared, ipPacket.Length - headers), payloadBytes));
        BinaryPrimitives.WriteInt64BigEndian(destination[TimestampOffset..], Math.Max(0, captureTimestampNanoseconds));
        BinaryPrimitives.WriteUInt16BigEndian(destination[LengthOffset..], (ushort)carried);
        ipPacket.Slice(headers, carried).CopyTo(destination[PayloadOffset..]);
        destination[(PayloadOffset + carried)..size].Clear();
        return size;
    }

    /// <summary>
    /// Copies an extended record into a record of another granted size: the 64-byte part and the time as they are, the payload cut to
    /// <paramref name="payloadBytes"/>. With <paramref name="payloadBytes"/> 0 only the 64-byte part is written.
    /// </summary>
    public static void CopyTo(ReadOnlySpan<byte> record, Span<byte> destination, int payloadBytes)
    {
        record[..ChannelProtocol.ResponseRecordSize].CopyTo(destination);
        if (payloadBytes == 0)
        {
            return;
        }

        var carried = Math.Min(GetPayload(record).Length, payloadBytes);
        record.Slice(TimestampOffset, 8).CopyTo(destination[TimestampOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[LengthOffset..], (ushort)carried);
        record.Slice(PayloadOffset, carried).CopyTo(destination[PayloadOffset..]);
        destination[(PayloadOffset + carried)..RecordSize(payloadBytes)].Clear();
    }

    /// <summary>The intercept's capture time of an extended record's packet, nanoseconds since the Unix epoch; 0 when unknown or not extended.</summary>
    public static long GetCaptureTimestamp(ReadOnlySpan<byte> record) =>
        record.Length < LengthOffset ? 0 : Math.Max(0, BinaryPrimitives.ReadInt64BigEndian(record[TimestampOffset..]));

    /// <summary>The payload bytes an extended record carries (empty for a record of 64 bytes or less); never past the record.</summary>
    public static ReadOnlySpan<byte> GetPayload(ReadOnlySpan<byte> record)
    {
        if (record.Length < PayloadOffset)
        {
            return [];
        }

        var carried = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(record[LengthOffset..]), record.Length - PayloadOffset);
        return record.Slice(PayloadOffset, carried);
    }
}
