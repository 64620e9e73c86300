using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>Opening, streams, progress and lifetime, independent of the file format.</summary>
public class CaptureFileReaderTests
{
    [Fact]
    public void OpeningAMissingFileThrowsFileNotFound()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tcpreplay-missing-{Guid.NewGuid():N}.pcap");

        Assert.Throws<FileNotFoundException>(() => CaptureFileReader.Open(path));
    }

    [Fact]
    public void OpenReadsTheHeaderAndReportsFormatAndInterfaceBeforeAnyRecord()
    {
        byte[] file = new PcapBuilder(linkTypeField: 228, snapLength: 9000).Record(1, 0, [1]).ToArray();

        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));

        Assert.Equal(CaptureFileFormat.Pcap, reader.Format);
        Assert.Equal(LinkType.Ipv4, Assert.Single(reader.Interfaces).LinkType);
        Assert.Equal(24, reader.Position);
        Assert.Equal(file.Length, reader.Length);
        Assert.Equal(0, reader.RecordsRead);
        Assert.Null(reader.Error);
    }

    [Fact]
    public void PositionAndRecordsReadAdvanceRecordByRecord()
    {
        byte[] file = new PcapBuilder().Record(1, 0, new byte[10]).Record(2, 0, new byte[20]).ToArray();
        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));

        Assert.True(reader.TryReadNext(out _));
        Assert.Equal(24 + 16 + 10, reader.Position);
        Assert.Equal(1, reader.RecordsRead);
        Assert.True(reader.TryReadNext(out _));
        Assert.Equal(file.Length, reader.Position);
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(2, reader.RecordsRead);
        Assert.Null(reader.Error);
    }

    [Fact]
    public void OffsetsCountFromTheStreamPositionAtOpen()
    {
        byte[] file = new PcapBuilder().Record(1, 0, [1, 2]).ToArray();
        var stream = new MemoryStream([.. new byte[100], .. file]) { Position = 100 };

        using CaptureFileReader reader = CaptureFileReader.Open(stream);

        Assert.Equal(file.Length, reader.Length);
        Assert.True(reader.TryReadNext(out CaptureRecord record));
        Assert.Equal(24, record.FileOffset);
    }

    [Fact]
    public void NonSeekableStreamDeliveringOneByteAtATimeIsReadWhole()
    {
        var b = new PcapBuilder(nanoseconds: true);
        for (int i = 0; i < 50; i++)
        {
            b.Record((uint)i, (uint)i, CaptureReading.Bytes(i * 7, (byte)i));
        }

        ReadResult result = CaptureReading.ReadAll(new NonSeekableStream(b.ToArray(), maxChunk: 1));

        Assert.Null(result.Error);
        Assert.Equal(50, result.Records.Count);
        Assert.Equal(CaptureReading.Bytes(49 * 7, 49), result.Records[49].Data);
        Assert.Equal((49L * 1_000_000_000) + 49, result.Records[49].TimestampNanoseconds);
    }

    [Fact]
    public void LengthIsUnknownForANonSeekableStream()
    {
        using CaptureFileReader reader = CaptureFileReader.Open(new NonSeekableStream(new PcapBuilder().ToArray()));

        Assert.Null(reader.Length);
    }

    [Fact]
    public void RecordsLongerThanTheInitialBufferAreReadAcrossRefills()
    {
        var b = new PcapBuilder();
        for (int i = 0; i < 8; i++)
        {
            b.Record((uint)i, 0, CaptureReading.Bytes(100_000 + i, (byte)i));
        }

        ReadResult result = CaptureReading.ReadAll(new NonSeekableStream(b.ToArray(), maxChunk: 4096));

        Assert.Null(result.Error);
        Assert.Equal(8, result.Records.Count);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(CaptureReading.Bytes(100_000 + i, (byte)i), result.Records[i].Data);
        }
    }

    [Fact]
    public void RecordDataCanBeRewrittenInPlace()
    {
        byte[] file = new PcapBuilder().Record(1, 0, [1, 2, 3]).ToArray();
        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(file));

        Assert.True(reader.TryReadNext(out CaptureRecord record));
        record.Data[0] = 0x42;

        Assert.Equal(0x42, record.Data[0]);
    }

    [Fact]
    public void DisposeClosesTheStreamUnlessLeftOpen()
    {
        byte[] file = new PcapBuilder().ToArray();
        var closed = new MemoryStream(file);
        CaptureFileReader.Open(closed).Dispose();
        Assert.False(closed.CanRead);

        var open = new MemoryStream(file);
        CaptureFileReader.Open(open, leaveOpen: true).Dispose();
        Assert.True(open.CanRead);
    }

    [Fact]
    public void ReadingAfterDisposeThrowsObjectDisposed()
    {
        CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(new PcapBuilder().Record(1, 0, [1]).ToArray()));
        reader.Dispose();

        Assert.Throws<ObjectDisposedException>(() => reader.TryReadNext(out _));
    }

    [Fact]
    public void FileBeingWrittenCanBeOpenedAndReadSoFar()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tcpreplay-growing-{Guid.NewGuid():N}.pcap");
        try
        {
            using var writerStream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            using var writer = new PcapFileWriter(writerStream, LinkType.Ethernet);
            writer.Write([1, 2, 3], 1_000);
            writer.Flush();

            ReadResult result;
            using (CaptureFileReader reader = CaptureFileReader.Open(path))
            {
                Assert.True(reader.TryReadNext(out CaptureRecord record));
                Assert.Equal([1, 2, 3], record.Data.ToArray());
                Assert.False(reader.TryReadNext(out _));
                result = new ReadResult([], reader.Error, reader.Format, reader.Interfaces, reader.RecordsRead);
            }

            Assert.Null(result.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
