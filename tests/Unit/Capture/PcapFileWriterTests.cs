using System.Buffers.Binary;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

public class PcapFileWriterTests
{
    private const long BaseNs = 1_700_000_000_123_456_789;

    [Fact]
    public void MicrosecondFileRoundTripsRecordsWithTimestampsTruncatedToMicroseconds()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            writer.Write(CaptureReading.Bytes(60, 1), BaseNs);
            writer.Write(CaptureReading.Bytes(1514, 2), BaseNs + 999, originalLength: 1600);
            writer.Write([], 999_999_999);
            Assert.Equal(3, writer.RecordsWritten);
        }

        ReadResult result = CaptureReading.ReadAll(stream.ToArray());

        Assert.Null(result.Error);
        Assert.Equal(CaptureFileFormat.Pcap, result.Format);
        Assert.Equal(
            [1_700_000_000_123_456_000, 1_700_000_000_123_457_000, 999_999_000],
            result.Records.Select(r => r.TimestampNanoseconds));
        Assert.Equal(CaptureReading.Bytes(60, 1), result.Records[0].Data);
        Assert.Equal(CaptureReading.Bytes(1514, 2), result.Records[1].Data);
        Assert.Empty(result.Records[2].Data);
        Assert.Equal([60, 1600, 0], result.Records.Select(r => r.OriginalLength));
        Assert.All(result.Records, r => Assert.Equal(LinkType.Ethernet, r.LinkType));
        CaptureInterface single = Assert.Single(result.Interfaces);
        Assert.Equal(1_000_000UL, single.TimestampUnitsPerSecond);
        Assert.Equal(PcapFileWriter.DefaultSnapLength, single.SnapLength);
    }

    [Fact]
    public void NanosecondFileRoundTripsExactTimestamps()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, LinkType.Raw, snapLength: 65535, nanosecondResolution: true, leaveOpen: true))
        {
            writer.Write(CaptureReading.Bytes(40, 3), BaseNs);
            writer.Write(CaptureReading.Bytes(41, 4), BaseNs + 1);
            writer.Write(CaptureReading.Bytes(42, 5), ((long)uint.MaxValue * 1_000_000_000) + 999_999_999);
        }

        ReadResult result = CaptureReading.ReadAll(stream.ToArray());

        Assert.Null(result.Error);
        Assert.Equal(
            [BaseNs, BaseNs + 1, ((long)uint.MaxValue * 1_000_000_000) + 999_999_999],
            result.Records.Select(r => r.TimestampNanoseconds));
        Assert.All(result.Records, r => Assert.Equal(LinkType.Raw, r.LinkType));
        Assert.Equal(1_000_000_000UL, Assert.Single(result.Interfaces).TimestampUnitsPerSecond);
        Assert.Equal(65535, result.Interfaces[0].SnapLength);
    }

    [Fact]
    public void HeaderIsLittleEndianVersion24WithTheGivenSnapLengthAndLinkType()
    {
        var stream = new MemoryStream();
        using (new PcapFileWriter(stream, LinkType.LinuxSll, snapLength: 1500, nanosecondResolution: true, leaveOpen: true))
        {
        }

        byte[] header = stream.ToArray();
        Assert.Equal(24, header.Length);
        Assert.Equal(0xA1B23C4Du, BinaryPrimitives.ReadUInt32LittleEndian(header));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(4)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(8)));
        Assert.Equal(1500u, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16)));
        Assert.Equal(113u, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20)));
    }

    [Fact]
    public void DataLongerThanTheSnapLengthIsCutButKeepsItsOriginalLength()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, LinkType.Ethernet, snapLength: 100, leaveOpen: true))
        {
            writer.Write(CaptureReading.Bytes(300, 7), BaseNs);
        }

        RecordCopy record = Assert.Single(CaptureReading.ReadAll(stream.ToArray()).Records);
        Assert.Equal(CaptureReading.Bytes(100, 7), record.Data);
        Assert.Equal(300, record.OriginalLength);
    }

    [Fact]
    public void RecordsLargerThanTheWriteBufferAreWrittenWhole()
    {
        var stream = new MemoryStream();
        byte[] big = CaptureReading.Bytes(200_000, 9);
        using (var writer = new PcapFileWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            for (int i = 0; i < 100; i++)
            {
                writer.Write(CaptureReading.Bytes(1000, (byte)i), BaseNs + i);
            }

            writer.Write(big, BaseNs + 100);
            writer.Write(CaptureReading.Bytes(10, 1), BaseNs + 101);
        }

        ReadResult result = CaptureReading.ReadAll(stream.ToArray());
        Assert.Null(result.Error);
        Assert.Equal(102, result.Records.Count);
        Assert.Equal(big, result.Records[100].Data);
        Assert.Equal(CaptureReading.Bytes(1000, 99), result.Records[99].Data);
    }

    [Fact]
    public void RecordsReachTheStreamOnFlush()
    {
        var stream = new MemoryStream();
        using var writer = new PcapFileWriter(stream, LinkType.Ethernet, leaveOpen: true);
        writer.Write(CaptureReading.Bytes(20, 1), BaseNs);
        Assert.Equal(0, stream.Length);

        writer.Flush();

        Assert.Equal(24 + 16 + 20, stream.Length);
    }

    [Fact]
    public void DisposeClosesTheStreamUnlessLeftOpen()
    {
        var closed = new MemoryStream();
        new PcapFileWriter(closed, LinkType.Ethernet).Dispose();
        Assert.False(closed.CanWrite);

        var open = new MemoryStream();
        new PcapFileWriter(open, LinkType.Ethernet, leaveOpen: true).Dispose();
        Assert.True(open.CanWrite);
        Assert.Equal(24, open.Length);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(((long)uint.MaxValue + 1) * 1_000_000_000)]
    public void TimestampsOutsidePcapRangeAreRejected(long timestamp)
    {
        using var writer = new PcapFileWriter(new MemoryStream(), LinkType.Ethernet);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write([1, 2, 3], timestamp));
        Assert.Equal("timestampNanoseconds", ex.ParamName);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    public void OriginalLengthShorterThanTheDataIsRejected(int originalLength)
    {
        using var writer = new PcapFileWriter(new MemoryStream(), LinkType.Ethernet);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write([1, 2, 3], BaseNs, originalLength));
        Assert.Equal("originalLength", ex.ParamName);
    }

    [Fact]
    public void ConstructorRejectsAZeroSnapLengthAndAReadOnlyStream()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PcapFileWriter(new MemoryStream(), LinkType.Ethernet, snapLength: 0));
        Assert.Throws<ArgumentException>(() => new PcapFileWriter(new MemoryStream([], writable: false), LinkType.Ethernet));
    }

    [Fact]
    public void WriteAfterDisposeThrowsObjectDisposed()
    {
        var writer = new PcapFileWriter(new MemoryStream(), LinkType.Ethernet);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write([1], BaseNs));
    }
}
