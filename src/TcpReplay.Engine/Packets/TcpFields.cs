namespace TcpReplay.Engine.Packets;

// Byte positions in the TCP header (RFC 9293 §3.1) and its options, each derived from the field before it.
internal static class TcpFields
{
    public const int SourcePortPosition = 0;
    public const int PortLength = 2;
    public const int DestinationPortPosition = SourcePortPosition + PortLength;
    public const int SequenceNumberPosition = DestinationPortPosition + PortLength;
    public const int SequenceNumberLength = 4;
    public const int AcknowledgmentNumberPosition = SequenceNumberPosition + SequenceNumberLength;
    public const int AcknowledgmentNumberLength = 4;
    public const int DataOffsetPosition = AcknowledgmentNumberPosition + AcknowledgmentNumberLength;
    public const int DataOffsetLength = 1;
    public const int FlagsPosition = DataOffsetPosition + DataOffsetLength;
    public const int FlagsLength = 1;
    public const int WindowPosition = FlagsPosition + FlagsLength;
    public const int WindowLength = 2;
    public const int ChecksumPosition = WindowPosition + WindowLength;
    public const int ChecksumLength = 2;
    public const int UrgentPointerPosition = ChecksumPosition + ChecksumLength;
    public const int UrgentPointerLength = 2;
    public const int MinimumHeaderLength = UrgentPointerPosition + UrgentPointerLength;
    public const int OptionsPosition = MinimumHeaderLength;

    // The data offset is the high nibble of byte 12 and counts 32-bit words.
    public const int DataOffsetShift = 4;
    public const int DataOffsetUnit = 4;
    public const int MinimumDataOffset = MinimumHeaderLength / DataOffsetUnit;

    // Within an option: kind, length (all but EOL and NOP), data.
    public const int OptionKindPosition = 0;
    public const int OptionLengthPosition = 1;
    public const int OptionDataPosition = 2;
    public const int OptionMinimumLength = 2;

    public const int MssOptionLength = 4;
    public const int WindowScaleOptionLength = 3;
    public const int SackPermittedOptionLength = 2;
    public const int TimestampsOptionLength = 10;
    public const int TimestampValuePosition = OptionDataPosition;
    public const int TimestampEchoReplyPosition = TimestampValuePosition + 4;
    public const int SackBlockLength = 8;
}
