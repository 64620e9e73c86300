namespace TcpReplay.Engine.Capture.Files;

/// <summary>
/// Layout of pcapng files (draft-ietf-opsawg-pcapng): blocks of type (4), total length (4), body,
/// total length again (4), each section in the byte order its Section Header Block's magic shows.
/// </summary>
internal static class PcapNgFormat
{
    // The SHB type reads the same in both byte orders, so a section can be found before its order is known.
    public const uint SectionHeaderBlockType = 0x0A0D0D0A;
    public const uint InterfaceDescriptionBlockType = 1;
    public const uint ObsoletePacketBlockType = 2;
    public const uint SimplePacketBlockType = 3;
    public const uint EnhancedPacketBlockType = 6;

    // Byte-order magic as read little-endian.
    public const uint ByteOrderMagic = 0x1A2B3C4D;
    public const uint ByteOrderMagicSwapped = 0x4D3C2B1A;

    public const ushort VersionMajor = 1;
    public const ushort VersionMinor = 0;

    // libpcap and Wireshark also accept 1.2, written by some early tools with the same layout.
    public const ushort VersionMinorLegacy = 2;

    public const int BlockTypeOffset = 0;
    public const int BlockLengthOffset = 4;
    public const int BlockHeaderLength = 8;
    public const int BlockTrailerLength = 4;
    public const int MinBlockLength = BlockHeaderLength + BlockTrailerLength;

    // Section Header Block body.
    public const int ShbByteOrderMagicOffset = 8;
    public const int ShbVersionMajorOffset = 12;
    public const int ShbVersionMinorOffset = 14;
    public const int ShbSectionLengthOffset = 16;
    public const int ShbOptionsOffset = 24;
    public const int ShbMinLength = ShbOptionsOffset + BlockTrailerLength;

    // Interface Description Block body.
    public const int IdbLinkTypeOffset = 8;
    public const int IdbSnapLengthOffset = 12;
    public const int IdbOptionsOffset = 16;
    public const int IdbMinLength = IdbOptionsOffset + BlockTrailerLength;

    // Enhanced Packet Block body.
    public const int EpbInterfaceIdOffset = 8;
    public const int EpbTimestampHighOffset = 12;
    public const int EpbTimestampLowOffset = 16;
    public const int EpbCapturedLengthOffset = 20;
    public const int EpbOriginalLengthOffset = 24;
    public const int EpbDataOffset = 28;
    public const int EpbMinLength = EpbDataOffset + BlockTrailerLength;

    // Obsolete Packet Block body: as the EPB, with a 16-bit interface ID and a 16-bit drops count.
    public const int PbInterfaceIdOffset = 8;
    public const int PbDropsCountOffset = 10;
    public const int PbTimestampHighOffset = 12;
    public const int PbTimestampLowOffset = 16;
    public const int PbCapturedLengthOffset = 20;
    public const int PbOriginalLengthOffset = 24;
    public const int PbDataOffset = 28;
    public const int PbMinLength = PbDataOffset + BlockTrailerLength;

    // Simple Packet Block body.
    public const int SpbOriginalLengthOffset = 8;
    public const int SpbDataOffset = 12;
    public const int SpbMinLength = SpbDataOffset + BlockTrailerLength;

    // Options: code (2), length (2), value padded to 4 bytes.
    public const int OptionHeaderLength = 4;
    public const ushort OptionEndOfOptions = 0;
    public const ushort OptionIfName = 2;
    public const ushort OptionIfTsResol = 9;
    public const ushort OptionIfTsOffset = 14;

    // if_tsresol: MSB clear -> 10^-value seconds, MSB set -> 2^-(value & 0x7F) seconds.
    public const byte TsResolPowerOfTwoFlag = 0x80;
    public const ulong DefaultTimestampUnitsPerSecond = 1_000_000;

    public static long Align4(long length) => (length + 3) & ~3L;
}
