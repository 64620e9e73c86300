namespace TcpReplay.Engine.Capture.Files;

/// <summary>
/// Layout of classic pcap files (draft-ietf-opsawg-pcap): a 24-byte file header, then records of a
/// 16-byte header and the captured bytes. All fields are in the byte order the magic number shows.
/// </summary>
internal static class PcapFormat
{
    // Magic numbers as read little-endian from the first four bytes.
    public const uint MagicMicroseconds = 0xA1B2C3D4;
    public const uint MagicMicrosecondsSwapped = 0xD4C3B2A1;
    public const uint MagicNanoseconds = 0xA1B23C4D;
    public const uint MagicNanosecondsSwapped = 0x4D3CB2A1;

    // Alexey Kuznetzov's patched libpcap: longer record headers, never standardised.
    public const uint MagicModified = 0xA1B2CD34;
    public const uint MagicModifiedSwapped = 0x34CDB2A1;

    public const ushort VersionMajor = 2;
    public const ushort VersionMinor = 4;

    public const int FileHeaderLength = 24;
    public const int MagicOffset = 0;
    public const int VersionMajorOffset = MagicOffset + 4;
    public const int VersionMinorOffset = VersionMajorOffset + 2;
    public const int ThisZoneOffset = VersionMinorOffset + 2;
    public const int SigFigsOffset = ThisZoneOffset + 4;
    public const int SnapLengthOffset = SigFigsOffset + 4;
    public const int LinkTypeOffset = SnapLengthOffset + 4;

    // The link-type field carries the FCS length in its upper bits (bits 26-31); libpcap's LT_LINKTYPE mask.
    public const uint LinkTypeMask = 0x03FF_FFFF;

    public const int RecordHeaderLength = 16;
    public const int TimestampSecondsOffset = 0;
    public const int TimestampFractionOffset = TimestampSecondsOffset + 4;
    public const int CapturedLengthOffset = TimestampFractionOffset + 4;
    public const int OriginalLengthOffset = CapturedLengthOffset + 4;
}
