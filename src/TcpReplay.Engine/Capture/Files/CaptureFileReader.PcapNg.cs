using System.Buffers.Binary;
using System.Text;

namespace TcpReplay.Engine.Capture.Files;

// pcapng: a sequence of blocks; each Section Header Block starts a section with its own byte order
// and its own interface numbering.
public sealed partial class CaptureFileReader
{
    private bool _ngBigEndian;
    private int _sectionIndex = -1;

    // Index in _interfaces of the current section's interface 0.
    private int _sectionInterfaceBase;

    // A Simple Packet Block has no timestamp; it inherits the previous record's.
    private long _lastTimestamp;

    private void ReadPcapNgFirstSection() => _ = ReadSectionHeader(0);

    private bool TryReadPcapNgRecord(out CaptureRecord record)
    {
        record = default;
        while (true)
        {
            long offset = Position;
            if (!Ensure(PcapNgFormat.BlockHeaderLength))
            {
                return _end == _start
                    ? false
                    : Fail(CaptureFileErrorKind.Truncated, offset, $"The block header at {offset} is cut after {_end - _start} of {PcapNgFormat.BlockHeaderLength} bytes.");
            }

            Span<byte> header = Unread(PcapNgFormat.BlockHeaderLength);
            uint type = NgUInt32(header[PcapNgFormat.BlockTypeOffset..]);
            if (type == PcapNgFormat.SectionHeaderBlockType)
            {
                if (!ReadSectionHeader(offset))
                {
                    return false;
                }

                continue;
            }

            uint length = NgUInt32(header[PcapNgFormat.BlockLengthOffset..]);
            if (length < PcapNgFormat.MinBlockLength || length % 4 != 0)
            {
                return Fail(
                    CaptureFileErrorKind.Corrupt,
                    offset,
                    $"The block of type 0x{type:X8} at {offset} has length {length}: not a multiple of 4 of at least {PcapNgFormat.MinBlockLength}.");
            }

            switch (type)
            {
                case PcapNgFormat.EnhancedPacketBlockType:
                case PcapNgFormat.SimplePacketBlockType:
                case PcapNgFormat.ObsoletePacketBlockType:
                    return ReadPacketBlock(type, length, offset, out record);
                case PcapNgFormat.InterfaceDescriptionBlockType:
                    if (!ReadInterfaceDescription(length, offset))
                    {
                        return false;
                    }

                    break;
                default:
                    // Name resolution, statistics, decryption secrets, custom and future blocks carry no packet.
                    if (!SkipBlock(type, length, offset))
                    {
                        return false;
                    }

                    break;
            }
        }
    }

    private bool ReadSectionHeader(long offset)
    {
        const int BytesToByteOrder = PcapNgFormat.ShbByteOrderMagicOffset + 4;
        if (!Ensure(BytesToByteOrder))
        {
            // The SHB block type alone is taken as the sign of pcapng, so a cut this early is a truncation.
            Format = CaptureFileFormat.PcapNg;
            return Fail(CaptureFileErrorKind.Truncated, offset, $"The pcapng section header at {offset} is cut after {_end - _start} bytes.");
        }

        Span<byte> start = Unread(BytesToByteOrder);
        uint byteOrderMagic = BinaryPrimitives.ReadUInt32LittleEndian(start[PcapNgFormat.ShbByteOrderMagicOffset..]);
        bool bigEndian;
        if (byteOrderMagic == PcapNgFormat.ByteOrderMagic)
        {
            bigEndian = false;
        }
        else if (byteOrderMagic == PcapNgFormat.ByteOrderMagicSwapped)
        {
            bigEndian = true;
        }
        else if (Format == CaptureFileFormat.Unknown)
        {
            // 0A 0D 0D 0A is also how a text file with blank CRLF lines may start.
            return Fail(
                CaptureFileErrorKind.NotACaptureFile,
                offset,
                $"The input starts like a pcapng section header but its byte-order magic is 0x{byteOrderMagic:X8}.");
        }
        else
        {
            return Fail(CaptureFileErrorKind.Corrupt, offset, $"The section header at {offset} has byte-order magic 0x{byteOrderMagic:X8}.");
        }

        Format = CaptureFileFormat.PcapNg;
        _ngBigEndian = bigEndian;
        uint length = NgUInt32(start[PcapNgFormat.BlockLengthOffset..]);
        if (!TryBufferBlock(length, PcapNgFormat.ShbMinLength, offset, "section header block"))
        {
            return false;
        }

        Span<byte> block = Unread((int)length);
        ushort major = NgUInt16(block[PcapNgFormat.ShbVersionMajorOffset..]);
        ushort minor = NgUInt16(block[PcapNgFormat.ShbVersionMinorOffset..]);
        if (major != PcapNgFormat.VersionMajor || minor is not (PcapNgFormat.VersionMinor or PcapNgFormat.VersionMinorLegacy))
        {
            return Fail(
                CaptureFileErrorKind.UnsupportedVersion,
                offset,
                $"pcapng version {major}.{minor} in the section at {offset} is not supported (only 1.0).");
        }

        _sectionIndex++;
        _sectionInterfaceBase = _interfaces.Count;
        _start += (int)length;
        return true;
    }

    private bool ReadInterfaceDescription(uint length, long offset)
    {
        if (!TryBufferBlock(length, PcapNgFormat.IdbMinLength, offset, "interface description block"))
        {
            return false;
        }

        Span<byte> block = Unread((int)length);
        ushort linkType = NgUInt16(block[PcapNgFormat.IdbLinkTypeOffset..]);
        uint snapLength = NgUInt32(block[PcapNgFormat.IdbSnapLengthOffset..]);
        ReadOnlySpan<byte> options = block[PcapNgFormat.IdbOptionsOffset..^PcapNgFormat.BlockTrailerLength];

        ulong unitsPerSecond = PcapNgFormat.DefaultTimestampUnitsPerSecond;
        long offsetSeconds = 0;
        string? name = null;
        int position = 0;
        while (options.Length - position >= PcapNgFormat.OptionHeaderLength)
        {
            ushort code = NgUInt16(options[position..]);
            ushort valueLength = NgUInt16(options[(position + 2)..]);
            if (code == PcapNgFormat.OptionEndOfOptions)
            {
                break;
            }

            int valueStart = position + PcapNgFormat.OptionHeaderLength;
            if (valueLength > options.Length - valueStart)
            {
                return Fail(
                    CaptureFileErrorKind.Corrupt,
                    offset,
                    $"Option {code} of the interface description at {offset} claims {valueLength} bytes; {options.Length - valueStart} remain.");
            }

            ReadOnlySpan<byte> value = options.Slice(valueStart, valueLength);
            switch (code)
            {
                case PcapNgFormat.OptionIfTsResol:
                    if (!TryParseTimestampResolution(value, offset, out unitsPerSecond))
                    {
                        return false;
                    }

                    break;
                case PcapNgFormat.OptionIfTsOffset:
                    if (value.Length != 8)
                    {
                        return Fail(CaptureFileErrorKind.Corrupt, offset, $"if_tsoffset of the interface description at {offset} has {value.Length} bytes, not 8.");
                    }

                    offsetSeconds = (long)NgUInt64(value);
                    break;
                case PcapNgFormat.OptionIfName:
                    // Some writers add a terminating NUL that the format does not ask for.
                    name = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;
            }

            position = valueStart + (int)PcapNgFormat.Align4(valueLength);
        }

        AddInterface(new CaptureInterface(
            ToLinkType(linkType),
            ClampToInt(snapLength),
            unitsPerSecond,
            offsetSeconds,
            name,
            _sectionIndex,
            _interfaces.Count - _sectionInterfaceBase));
        _start += (int)length;
        return true;
    }

    private bool TryParseTimestampResolution(ReadOnlySpan<byte> value, long offset, out ulong unitsPerSecond)
    {
        unitsPerSecond = 0;
        if (value.Length != 1)
        {
            return Fail(CaptureFileErrorKind.Corrupt, offset, $"if_tsresol of the interface description at {offset} has {value.Length} bytes, not 1.");
        }

        int exponent = value[0] & ~PcapNgFormat.TsResolPowerOfTwoFlag;
        if ((value[0] & PcapNgFormat.TsResolPowerOfTwoFlag) != 0)
        {
            // 2^63 units per second still fits a ulong.
            if (exponent > 63)
            {
                return Fail(CaptureFileErrorKind.Corrupt, offset, $"if_tsresol 2^-{exponent} at {offset} is finer than 2^-63 s.");
            }

            unitsPerSecond = 1UL << exponent;
            return true;
        }

        // 10^19 is the largest power of ten below 2^64.
        if (exponent > 19)
        {
            return Fail(CaptureFileErrorKind.Corrupt, offset, $"if_tsresol 10^-{exponent} at {offset} is finer than 10^-19 s.");
        }

        unitsPerSecond = 1;
        for (int i = 0; i < exponent; i++)
        {
            unitsPerSecond *= 10;
        }

        return true;
    }

    private bool ReadPacketBlock(uint type, uint length, long offset, out CaptureRecord record)
    {
        record = default;
        bool simple = type == PcapNgFormat.SimplePacketBlockType;
        string blockName = type switch
        {
            PcapNgFormat.EnhancedPacketBlockType => "enhanced packet block",
            PcapNgFormat.SimplePacketBlockType => "simple packet block",
            _ => "packet block",
        };
        int minLength = simple ? PcapNgFormat.SpbMinLength : PcapNgFormat.EpbMinLength;
        if (!TryBufferBlock(length, minLength, offset, blockName))
        {
            return false;
        }

        Span<byte> block = Unread((int)length);
        int sectionInterfaces = _interfaces.Count - _sectionInterfaceBase;
        uint interfaceId;
        uint capturedLength;
        uint originalLength;
        ulong units = 0;
        int dataOffset;
        if (simple)
        {
            interfaceId = 0;
            if (sectionInterfaces == 0)
            {
                return Fail(CaptureFileErrorKind.Corrupt, offset, $"The simple packet block at {offset} comes before any interface description.");
            }

            // The SPB has no captured length: it is what the block holds, bounded by wire length and snaplen.
            originalLength = NgUInt32(block[PcapNgFormat.SpbOriginalLengthOffset..]);
            capturedLength = Math.Min(originalLength, length - PcapNgFormat.SpbMinLength);
            int snapLength = _interfaces[_sectionInterfaceBase].SnapLength;
            if (snapLength > 0)
            {
                capturedLength = Math.Min(capturedLength, (uint)snapLength);
            }

            dataOffset = PcapNgFormat.SpbDataOffset;
        }
        else
        {
            bool enhanced = type == PcapNgFormat.EnhancedPacketBlockType;
            interfaceId = enhanced
                ? NgUInt32(block[PcapNgFormat.EpbInterfaceIdOffset..])
                : NgUInt16(block[PcapNgFormat.PbInterfaceIdOffset..]);
            uint high = NgUInt32(block[PcapNgFormat.EpbTimestampHighOffset..]);
            uint low = NgUInt32(block[PcapNgFormat.EpbTimestampLowOffset..]);
            units = ((ulong)high << 32) | low;
            capturedLength = NgUInt32(block[PcapNgFormat.EpbCapturedLengthOffset..]);
            originalLength = NgUInt32(block[PcapNgFormat.EpbOriginalLengthOffset..]);
            dataOffset = PcapNgFormat.EpbDataOffset;
            if (PcapNgFormat.EpbMinLength + PcapNgFormat.Align4(capturedLength) > length)
            {
                return Fail(
                    CaptureFileErrorKind.Corrupt,
                    offset,
                    $"The {blockName} at {offset} claims {capturedLength} captured bytes but is only {length} bytes long.");
            }
        }

        if (interfaceId >= sectionInterfaces)
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The {blockName} at {offset} names interface {interfaceId}; its section describes {sectionInterfaces}.");
        }

        if (capturedLength > MaxCapturedLength)
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The {blockName} at {offset} holds {capturedLength} captured bytes, above the limit of {MaxCapturedLength}.");
        }

        if (originalLength > int.MaxValue)
        {
            return Fail(CaptureFileErrorKind.Corrupt, offset, $"The {blockName} at {offset} claims an original length of {originalLength} bytes.");
        }

        int interfaceIndex = _sectionInterfaceBase + (int)interfaceId;
        CaptureInterface captureInterface = _interfaces[interfaceIndex];
        long timestamp = _lastTimestamp;
        if (!simple
            && !CaptureTimestamp.TryToNanoseconds(units, captureInterface.TimestampUnitsPerSecond, captureInterface.TimestampOffsetSeconds, out timestamp))
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The timestamp of the {blockName} at {offset} ({units} units of 1/{captureInterface.TimestampUnitsPerSecond} s) is beyond the year 2262.");
        }

        record = new CaptureRecord(
            block.Slice(dataOffset, (int)capturedLength),
            (int)originalLength,
            timestamp,
            captureInterface.LinkType,
            interfaceIndex,
            offset);
        _lastTimestamp = timestamp;
        _start += (int)length;
        RecordsRead++;
        return true;
    }

    private bool SkipBlock(uint type, uint length, long offset)
    {
        _start += PcapNgFormat.BlockHeaderLength;
        if (!Skip(length - PcapNgFormat.MinBlockLength) || !Ensure(PcapNgFormat.BlockTrailerLength))
        {
            return Fail(CaptureFileErrorKind.Truncated, offset, $"The block of type 0x{type:X8} at {offset} ({length} bytes) is cut short.");
        }

        uint trailer = NgUInt32(Unread(PcapNgFormat.BlockTrailerLength));
        if (trailer != length)
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The block of type 0x{type:X8} at {offset} starts with length {length} but ends with {trailer}.");
        }

        _start += PcapNgFormat.BlockTrailerLength;
        return true;
    }

    /// <summary>Validates a block's length, buffers it whole and checks its trailing length.</summary>
    private bool TryBufferBlock(uint length, int minLength, long offset, string blockName)
    {
        if (length < minLength || length % 4 != 0)
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The {blockName} at {offset} has length {length}: not a multiple of 4 of at least {minLength}.");
        }

        if (length > MaxBufferedBlockLength)
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The {blockName} at {offset} is {length} bytes long, above the limit of {MaxBufferedBlockLength}.");
        }

        if (!Ensure((int)length))
        {
            return Fail(
                CaptureFileErrorKind.Truncated,
                offset,
                $"The {blockName} at {offset} is cut after {_end - _start} of {length} bytes.");
        }

        uint trailer = NgUInt32(_buffer.AsSpan(_start + (int)length - PcapNgFormat.BlockTrailerLength));
        if (trailer != length)
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The {blockName} at {offset} starts with length {length} but ends with {trailer}.");
        }

        return true;
    }

    private ushort NgUInt16(ReadOnlySpan<byte> source) =>
        _ngBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source);

    private uint NgUInt32(ReadOnlySpan<byte> source) =>
        _ngBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source);

    private ulong NgUInt64(ReadOnlySpan<byte> source) =>
        _ngBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(source) : BinaryPrimitives.ReadUInt64LittleEndian(source);
}
