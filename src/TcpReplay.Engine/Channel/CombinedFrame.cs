using System.Buffers.Binary;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// Combined framing of intercept → copier records (src/interception/tc_combine.c <c>buffer_and_snd</c>):
/// a big-endian u16 record count followed by count × record. Counts above
/// <see cref="ChannelProtocol.MaxCombinedRecords"/> (<see cref="ChannelProtocol.MaxCombinedRecordsWithPayload"/> with
/// payload records) are a protocol error; a count of 0 is legal (tcpcopy reads it as an empty frame).
/// </summary>
public static class CombinedFrame
{
    /// <summary>Writes <paramref name="count"/> big-endian into the first two bytes of <paramref name="frame"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="frame"/> is shorter than 2 bytes.</exception>
    public static void WriteCount(Span<byte> frame, int count)
    {
        if (frame.Length < ChannelProtocol.CombinedHeaderSize)
        {
            ChannelThrowHelper.ThrowDestinationTooShort(nameof(frame), ChannelProtocol.CombinedHeaderSize);
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)count);
    }

    /// <summary>
    /// Looks at the frame starting at <paramref name="source"/>[0]. On <see cref="CombinedFrameStatus.Ok"/> and
    /// <see cref="CombinedFrameStatus.Incomplete"/> with at least 2 bytes, <paramref name="count"/> is the announced
    /// count and <paramref name="frameLength"/> the whole frame's length in bytes (2 + count × record size).
    /// </summary>
    public static CombinedFrameStatus TryRead(ReadOnlySpan<byte> source, bool withPayload, out int count, out int frameLength) =>
        TryRead(source, ChannelProtocol.RecordSize(withPayload), ChannelProtocol.MaxRecordsPerFrame(withPayload), out count, out frameLength);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, bool, out int, out int)"/>, for any record size (the payload extension's).</summary>
    public static CombinedFrameStatus TryRead(ReadOnlySpan<byte> source, int recordSize, int maxRecords, out int count, out int frameLength)
    {
        if (source.Length < ChannelProtocol.CombinedHeaderSize)
        {
            count = 0;
            frameLength = 0;
            return CombinedFrameStatus.Incomplete;
        }

        count = BinaryPrimitives.ReadUInt16BigEndian(source);
        if (count > maxRecords)
        {
            frameLength = 0;
            return CombinedFrameStatus.CountTooLarge;
        }

        frameLength = ChannelProtocol.CombinedHeaderSize + (count * recordSize);
        return source.Length < frameLength ? CombinedFrameStatus.Incomplete : CombinedFrameStatus.Ok;
    }
}
