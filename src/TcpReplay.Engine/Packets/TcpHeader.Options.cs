using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

public readonly ref partial struct TcpHeader
{
    /// <summary>True when a SACK-Permitted option (RFC 2018 §2) is present.</summary>
    public bool HasSackPermitted => FindOption(TcpOptionKind.SackPermitted, TcpFields.SackPermittedOptionLength) >= 0;

    /// <summary>Walks the options; see <see cref="TcpOptionEnumerator"/>.</summary>
    public TcpOptionEnumerator EnumerateOptions() => new(Options);

    /// <summary>Reads the Maximum Segment Size option (RFC 9293 §3.7.1), in bytes.</summary>
    /// <returns>False when there is no MSS option of the standard length 4.</returns>
    public bool TryGetMss(out ushort mss)
    {
        int position = FindOption(TcpOptionKind.MaximumSegmentSize, TcpFields.MssOptionLength);
        mss = position < 0 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(position + TcpFields.OptionDataPosition));
        return position >= 0;
    }

    /// <summary>Reads the Window Scale option (RFC 7323 §2): the shift count as sent (the receiver caps it at 14).</summary>
    /// <returns>False when there is no Window Scale option of the standard length 3.</returns>
    public bool TryGetWindowScale(out byte shift)
    {
        int position = FindOption(TcpOptionKind.WindowScale, TcpFields.WindowScaleOptionLength);
        shift = position < 0 ? (byte)0 : _bytes[position + TcpFields.OptionDataPosition];
        return position >= 0;
    }

    /// <summary>Reads the Timestamps option (RFC 7323 §3): TSval and TSecr.</summary>
    /// <returns>False when there is no Timestamps option of the standard length 10.</returns>
    public bool TryGetTimestamps(out uint value, out uint echoReply)
    {
        int position = FindOption(TcpOptionKind.Timestamps, TcpFields.TimestampsOptionLength);
        if (position < 0)
        {
            value = 0;
            echoReply = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(position + TcpFields.TimestampValuePosition));
        echoReply = BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice(position + TcpFields.TimestampEchoReplyPosition));
        return true;
    }

    /// <summary>
    /// Checks the option list as RFC 9293 §3.2 lays it out: End of Option List and No-Operation are
    /// single bytes; every other option has a length byte of at least 2 and ends within the header.
    /// Bytes after End of Option List are padding and are not checked.
    /// </summary>
    internal static bool AreOptionsWellFormed(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == (byte)TcpOptionKind.EndOfOptionList)
            {
                return true;
            }

            if (kind == (byte)TcpOptionKind.NoOperation)
            {
                i++;
                continue;
            }

            if (i + TcpFields.OptionLengthPosition >= options.Length)
            {
                return false;
            }

            int length = options[i + TcpFields.OptionLengthPosition];
            if (length < TcpFields.OptionMinimumLength || length > options.Length - i)
            {
                return false;
            }

            i += length;
        }

        return true;
    }

    // Returns the offset from the header start of the first option of this kind, or -1 when there is
    // none or its length is not the one the RFC fixes (a reader must not guess at a nonstandard layout).
    private int FindOption(TcpOptionKind kind, int expectedLength)
    {
        foreach (TcpOption option in EnumerateOptions())
        {
            if (option.Kind == kind)
            {
                return option.Data.Length + TcpFields.OptionDataPosition == expectedLength ? option.Offset : -1;
            }
        }

        return -1;
    }
}
