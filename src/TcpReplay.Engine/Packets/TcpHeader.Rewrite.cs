using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace TcpReplay.Engine.Packets;

public readonly ref partial struct TcpHeader
{
    public void SetSourcePort(ushort port) => ReplaceUInt16(TcpFields.SourcePortPosition, port);

    public void SetDestinationPort(ushort port) => ReplaceUInt16(TcpFields.DestinationPortPosition, port);

    public void SetSequenceNumber(uint sequenceNumber) => ReplaceUInt32(TcpFields.SequenceNumberPosition, sequenceNumber);

    public void SetAcknowledgmentNumber(uint acknowledgmentNumber) => ReplaceUInt32(TcpFields.AcknowledgmentNumberPosition, acknowledgmentNumber);

    public void SetWindow(ushort window) => ReplaceUInt16(TcpFields.WindowPosition, window);

    public void SetUrgentPointer(ushort urgentPointer) => ReplaceUInt16(TcpFields.UrgentPointerPosition, urgentPointer);

    /// <summary>Writes the eight control bits, keeping the data offset and the reserved/NS bits.</summary>
    public void SetFlags(TcpFlags flags)
    {
        // Flags are the low byte of the word at offset 12, so the update is the word's change.
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.DataOffsetPosition));
        _bytes[TcpFields.FlagsPosition] = (byte)flags;
        ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(TcpFields.DataOffsetPosition));
        AdjustChecksum16(TcpFields.DataOffsetPosition, oldWord, newWord);
    }

    /// <summary>Rewrites the value of the Maximum Segment Size option, typically to clamp it on a SYN.</summary>
    /// <returns>False (nothing written) when there is no MSS option of the standard length 4.</returns>
    public bool TrySetMss(ushort mss)
    {
        int position = FindOption(TcpOptionKind.MaximumSegmentSize, TcpFields.MssOptionLength);
        if (position < 0)
        {
            return false;
        }

        ReplaceUInt16(position + TcpFields.OptionDataPosition, mss);
        return true;
    }

    /// <summary>Rewrites TSecr, the echoed timestamp of the Timestamps option.</summary>
    /// <returns>False (nothing written) when there is no Timestamps option of the standard length 10.</returns>
    public bool TrySetTimestampEcho(uint echoReply)
    {
        int position = FindOption(TcpOptionKind.Timestamps, TcpFields.TimestampsOptionLength);
        if (position < 0)
        {
            return false;
        }

        ReplaceUInt32(position + TcpFields.TimestampEchoReplyPosition, echoReply);
        return true;
    }

    /// <summary>Rewrites TSval, the sender's timestamp of the Timestamps option.</summary>
    /// <returns>False (nothing written) when there is no Timestamps option of the standard length 10.</returns>
    public bool TrySetTimestampValue(uint value)
    {
        int position = FindOption(TcpOptionKind.Timestamps, TcpFields.TimestampsOptionLength);
        if (position < 0)
        {
            return false;
        }

        ReplaceUInt32(position + TcpFields.TimestampValuePosition, value);
        return true;
    }

    /// <summary>Stores a checksum computed elsewhere (the pseudo-header lives in the IP layer).</summary>
    internal void SetChecksum(ushort checksum)
        => BinaryPrimitives.WriteUInt16BigEndian(_bytes.Slice(TcpFields.ChecksumPosition), checksum);

    /// <summary>Adjusts the checksum for a 32-bit word of the pseudo-header (an IPv4 address) that changed.</summary>
    internal void AdjustChecksumForPseudoHeader(uint oldValue, uint newValue)
        => SetChecksum(InternetChecksum.Update32(Checksum, oldValue, newValue));

    private void ReplaceUInt16(int position, ushort value)
    {
        Span<byte> field = _bytes.Slice(position, 2);
        ushort oldValue = BinaryPrimitives.ReadUInt16BigEndian(field);
        BinaryPrimitives.WriteUInt16BigEndian(field, value);
        AdjustChecksum16(position, oldValue, value);
    }

    private void ReplaceUInt32(int position, uint value)
    {
        Span<byte> field = _bytes.Slice(position, 4);
        uint oldValue = BinaryPrimitives.ReadUInt32BigEndian(field);
        BinaryPrimitives.WriteUInt32BigEndian(field, value);
        if ((position & 1) != 0)
        {
            oldValue = SwapBytesInHalves(oldValue);
            value = SwapBytesInHalves(value);
        }

        SetChecksum(InternetChecksum.Update32(Checksum, oldValue, value));
    }

    private void AdjustChecksum16(int position, ushort oldValue, ushort newValue)
    {
        // A field at an odd offset straddles two checksum words: its first byte is the low byte of
        // one and its second the high byte of the next. As 2^16 ≡ 1 (mod 0xFFFF), that contributes
        // the byte-swapped value to the one's-complement sum (RFC 1071 §2(B)).
        if ((position & 1) != 0)
        {
            oldValue = BinaryPrimitives.ReverseEndianness(oldValue);
            newValue = BinaryPrimitives.ReverseEndianness(newValue);
        }

        SetChecksum(InternetChecksum.Update16(Checksum, oldValue, newValue));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SwapBytesInHalves(uint value)
        => ((value & 0xFF00_FF00) >> 8) | ((value & 0x00FF_00FF) << 8);
}
