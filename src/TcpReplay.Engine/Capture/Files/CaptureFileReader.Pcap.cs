using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture.Files;

// Classic pcap: file header, then (record header, captured bytes) to the end.
public sealed partial class CaptureFileReader
{
    private bool _pcapBigEndian;
    private uint _pcapFractionToNanoseconds;
    private LinkType _pcapLinkType;

    private void ReadPcapFileHeader(uint magic)
    {
        _pcapBigEndian = magic is PcapFormat.MagicMicrosecondsSwapped or PcapFormat.MagicNanosecondsSwapped;
        bool nanoseconds = magic is PcapFormat.MagicNanoseconds or PcapFormat.MagicNanosecondsSwapped;
        _pcapFractionToNanoseconds = nanoseconds ? 1u : 1000u;

        if (!Ensure(PcapFormat.FileHeaderLength))
        {
            Fail(
                CaptureFileErrorKind.Truncated,
                0,
                $"The pcap file header needs {PcapFormat.FileHeaderLength} bytes; the input ends after {_end - _start}.");
            return;
        }

        Span<byte> header = Unread(PcapFormat.FileHeaderLength);
        ushort major = PcapUInt16(header[PcapFormat.VersionMajorOffset..]);
        ushort minor = PcapUInt16(header[PcapFormat.VersionMinorOffset..]);

        // 2.3 differs from 2.4 only in history; 2.2 and older swapped the two length fields.
        if (major != PcapFormat.VersionMajor || minor is not (3 or PcapFormat.VersionMinor))
        {
            Fail(CaptureFileErrorKind.UnsupportedVersion, 0, $"pcap version {major}.{minor} is not supported (only 2.3 and 2.4).");
            return;
        }

        uint snapLength = PcapUInt32(header[PcapFormat.SnapLengthOffset..]);
        uint linkTypeField = PcapUInt32(header[PcapFormat.LinkTypeOffset..]) & PcapFormat.LinkTypeMask;
        if (linkTypeField > ushort.MaxValue)
        {
            Fail(CaptureFileErrorKind.Corrupt, 0, $"pcap link type {linkTypeField} is outside the 16-bit LINKTYPE range.");
            return;
        }

        // thiszone is ignored, as by libpcap: writers always store 0 and timestamps are UTC.
        _pcapLinkType = ToLinkType(linkTypeField);
        AddInterface(new CaptureInterface(
            _pcapLinkType,
            ClampToInt(snapLength),
            nanoseconds ? CaptureTimestamp.NanosecondsPerSecond : CaptureTimestamp.MicrosecondsPerSecond,
            TimestampOffsetSeconds: 0,
            Name: null,
            SectionIndex: 0,
            InterfaceId: 0));
        _start += PcapFormat.FileHeaderLength;
    }

    private bool TryReadPcapRecord(out CaptureRecord record)
    {
        record = default;
        long offset = Position;
        if (!Ensure(PcapFormat.RecordHeaderLength))
        {
            return _end == _start
                ? false
                : Fail(CaptureFileErrorKind.Truncated, offset, $"The record header at {offset} is cut after {_end - _start} of {PcapFormat.RecordHeaderLength} bytes.");
        }

        Span<byte> header = Unread(PcapFormat.RecordHeaderLength);
        uint seconds = PcapUInt32(header[PcapFormat.TimestampSecondsOffset..]);
        uint fraction = PcapUInt32(header[PcapFormat.TimestampFractionOffset..]);
        uint capturedLength = PcapUInt32(header[PcapFormat.CapturedLengthOffset..]);
        uint originalLength = PcapUInt32(header[PcapFormat.OriginalLengthOffset..]);

        // libpcap's rule: above the per-link-type maximum the length is garbage, whatever snaplen says.
        if (capturedLength > MaxCapturedLength)
        {
            return Fail(
                CaptureFileErrorKind.Corrupt,
                offset,
                $"The record at {offset} claims {capturedLength} captured bytes, above the limit of {MaxCapturedLength}.");
        }

        if (originalLength > int.MaxValue)
        {
            return Fail(CaptureFileErrorKind.Corrupt, offset, $"The record at {offset} claims an original length of {originalLength} bytes.");
        }

        int recordLength = PcapFormat.RecordHeaderLength + (int)capturedLength;
        if (!Ensure(recordLength))
        {
            return Fail(
                CaptureFileErrorKind.Truncated,
                offset,
                $"The record at {offset} is cut after {_end - _start} of {recordLength} bytes.");
        }

        // Both factors fit 32 bits, so neither product nor sum can overflow a long.
        long timestamp = ((long)seconds * (long)CaptureTimestamp.NanosecondsPerSecond) + ((long)fraction * _pcapFractionToNanoseconds);
        record = new CaptureRecord(
            _buffer.AsSpan(_start + PcapFormat.RecordHeaderLength, (int)capturedLength),
            (int)originalLength,
            timestamp,
            _pcapLinkType,
            interfaceIndex: 0,
            offset);
        _start += recordLength;
        RecordsRead++;
        return true;
    }

    private ushort PcapUInt16(ReadOnlySpan<byte> source) =>
        _pcapBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source);

    private uint PcapUInt32(ReadOnlySpan<byte> source) =>
        _pcapBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source);
}
