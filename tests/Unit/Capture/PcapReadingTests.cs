using System.Text;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

public class PcapReadingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MicrosecondFileIsReadInEitherByteOrder(bool bigEndian)
    {
        byte[] file = new PcapBuilder(bigEndian: bigEndian, linkTypeField: 101, snapLength: 1500)
            .Record(1_700_000_000, 999_999, CaptureReading.Bytes(20, 1), originalLength: 1400)
            .Record(1_700_000_001, 0, CaptureReading.Bytes(28, 2))
            .ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Null(result.Error);
        Assert.Equal(CaptureFileFormat.Pcap, result.Format);
        Assert.Equal(2, result.Records.Count);
        Assert.Equal(1_700_000_000_999_999_000, result.Records[0].TimestampNanoseconds);
        Assert.Equal(1_700_000_001_000_000_000, result.Records[1].TimestampNanoseconds);
        Assert.Equal(1400, result.Records[0].OriginalLength);
        Assert.Equal(CaptureReading.Bytes(20, 1), result.Records[0].Data);
        Assert.Equal(CaptureReading.Bytes(28, 2), result.Records[1].Data);
        Assert.Equal([24L, 24 + 16 + 20], result.Records.Select(r => r.FileOffset));
        Assert.All(result.Records, r => Assert.Equal(LinkType.Raw, r.LinkType));
        Assert.All(result.Records, r => Assert.Equal(0, r.InterfaceIndex));
        Assert.Equal(new CaptureInterface(LinkType.Raw, 1500, 1_000_000, 0, null, 0, 0), Assert.Single(result.Interfaces));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NanosecondFileIsReadInEitherByteOrder(bool bigEndian)
    {
        byte[] file = new PcapBuilder(bigEndian: bigEndian, nanoseconds: true)
            .Record(1_700_000_000, 123_456_789, CaptureReading.Bytes(60, 1))
            .ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Null(result.Error);
        Assert.Equal(1_700_000_000_123_456_789, Assert.Single(result.Records).TimestampNanoseconds);
        Assert.Equal(1_000_000_000UL, result.Interfaces[0].TimestampUnitsPerSecond);
    }

    [Fact]
    public void FcsLengthBitsAreMaskedOffTheLinkType()
    {
        // FCS present (bit 26) with a 4-byte FCS (0x2 16-bit words in bits 28-31), as tcpdump -w writes with FCS.
        byte[] file = new PcapBuilder(linkTypeField: 0x2400_0001).Record(1, 0, [1, 2]).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Null(result.Error);
        Assert.Equal(LinkType.Ethernet, Assert.Single(result.Records).LinkType);
    }

    [Fact]
    public void LinkTypesOutsideTheEnumAreStillReported()
    {
        byte[] file = new PcapBuilder(linkTypeField: 127).Record(1, 0, [1]).ToArray();

        Assert.Equal((LinkType)127, Assert.Single(CaptureReading.ReadAll(file).Records).LinkType);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    public void OtherVersionsAreUnsupported(ushort major, ushort minor)
    {
        byte[] file = new PcapBuilder(major: major, minor: minor).Record(1, 0, [1]).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Empty(result.Records);
        Assert.Equal(CaptureFileErrorKind.UnsupportedVersion, result.Error?.Kind);
        Assert.Equal(0, result.Error?.Offset);
        Assert.Equal(CaptureFileFormat.Pcap, result.Format);
    }

    [Fact]
    public void CapturedLengthAboveTheCapIsCorruptAtThatRecord()
    {
        var builder = new PcapBuilder().Record(1, 0, CaptureReading.Bytes(10, 0));
        long badOffset = builder.Length;
        byte[] file = builder
            .Record(2, 0, CaptureReading.Bytes(10, 0), capturedLength: CaptureFileReader.MaxCapturedLength + 1)
            .ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Single(result.Records);
        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(badOffset, result.Error?.Offset);
    }

    [Fact]
    public void CapturedLengthAtTheCapIsAccepted()
    {
        byte[] data = CaptureReading.Bytes(CaptureFileReader.MaxCapturedLength, 3);
        byte[] file = new PcapBuilder().Record(1, 0, data).Record(2, 0, [9]).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Null(result.Error);
        Assert.Equal(data, result.Records[0].Data);
        Assert.Equal([9], result.Records[1].Data);
    }

    [Fact]
    public void OriginalLengthAboveInt32IsCorrupt()
    {
        byte[] file = new PcapBuilder().Record(1, 0, [1], originalLength: 0x8000_0000).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Empty(result.Records);
        Assert.Equal(new CaptureFileErrorKind?(CaptureFileErrorKind.Corrupt), result.Error?.Kind);
        Assert.Equal(24, result.Error?.Offset);
    }

    [Fact]
    public void HeaderOnlyFileEndsCleanlyWithNoRecords()
    {
        ReadResult result = CaptureReading.ReadAll(new PcapBuilder().ToArray());

        Assert.Null(result.Error);
        Assert.Empty(result.Records);
        Assert.Equal(CaptureFileFormat.Pcap, result.Format);
    }

    [Fact]
    public void TextFileIsNotACaptureFile()
    {
        byte[] text = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 198.18.0.1\r\n\r\n");

        ReadResult result = CaptureReading.ReadAll(text);

        Assert.Empty(result.Records);
        Assert.Equal(CaptureFileFormat.Unknown, result.Format);
        Assert.Equal(new CaptureFileError(CaptureFileErrorKind.NotACaptureFile, 0, result.Error!.Message), result.Error);
        Assert.Contains("0x20544547", result.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void InputShorterThanAMagicNumberIsNotACaptureFile(int length)
    {
        ReadResult result = CaptureReading.ReadAll(new PcapBuilder().ToArray()[..length]);

        Assert.Equal(CaptureFileErrorKind.NotACaptureFile, result.Error?.Kind);
        Assert.Equal(0, result.Error?.Offset);
        Assert.Equal(CaptureFileFormat.Unknown, result.Format);
    }

    [Fact]
    public void GzipInputIsNotACaptureFileAndSaysSo()
    {
        ReadResult result = CaptureReading.ReadAll([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0]);

        Assert.Equal(CaptureFileErrorKind.NotACaptureFile, result.Error?.Kind);
        Assert.Contains("gzip", result.Error?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x34, 0xCD, 0xB2, 0xA1 })]
    [InlineData(new byte[] { 0xA1, 0xB2, 0xCD, 0x34 })]
    public void ModifiedPcapIsAnUnsupportedVersion(byte[] magic)
    {
        byte[] file = [.. magic, .. new byte[20]];

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Equal(CaptureFileErrorKind.UnsupportedVersion, result.Error?.Kind);
        Assert.Equal(0, result.Error?.Offset);
    }
}
