using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>The intercept → copier framing on bytes alone: what the link's receive loop hands to delivery.</summary>
public class ResponseRecordReaderTests
{
    private const int Plain = ChannelProtocol.ResponseRecordSize;

    public static TheoryData<int> EveryCutOfACombinedFrameOfTwoRecords()
    {
        var data = new TheoryData<int>();
        for (var cut = 1; cut < 2 + (2 * Plain); cut++)
        {
            data.Add(cut);
        }

        return data;
    }

    public static TheoryData<int> EveryCutOfARecord()
    {
        var data = new TheoryData<int>();
        for (var cut = 1; cut < Plain; cut++)
        {
            data.Add(cut);
        }

        return data;
    }

    [Fact]
    public void AWholeRecordIsReadAsOneRecord()
    {
        var reader = Reader(combined: false);
        var read = Feed(reader, Record(1, Plain));
        Assert.Equal([Record(1, Plain)], Records(read));
    }

    [Fact]
    public void AWholeCombinedFrameIsReadAsItsRecords()
    {
        var reader = Reader(combined: true);
        var read = Feed(reader, Frame(Plain, Record(1, Plain), Record(2, Plain)));
        Assert.Equal([Record(1, Plain), Record(2, Plain)], Records(read));
    }

    [Theory]
    [MemberData(nameof(EveryCutOfARecord))]
    public void ARecordSplitAcrossReadsIsReadOnceAndWhole(int cut)
    {
        var reader = Reader(combined: false);
        var bytes = Record(7, Plain);
        Assert.Empty(Feed(reader, bytes[..cut]));
        Assert.Equal([bytes], Records(Feed(reader, bytes[cut..])));
    }

    [Theory]
    [MemberData(nameof(EveryCutOfACombinedFrameOfTwoRecords))]
    public void ACombinedFrameSplitAcrossReadsIsReadOnceItIsWhole(int cut)
    {
        var reader = Reader(combined: true);
        var frame = Frame(Plain, Record(1, Plain), Record(2, Plain));
        Assert.Empty(Feed(reader, frame[..cut]));
        Assert.Equal([Record(1, Plain), Record(2, Plain)], Records(Feed(reader, frame[cut..])));
    }

    [Fact]
    public void SeveralRecordsInOneReadAreReadInOrderAndAPartialOneWaits()
    {
        var reader = Reader(combined: false);
        byte[] bytes = [.. Record(1, Plain), .. Record(2, Plain), .. Record(3, Plain), .. Record(4, Plain)[..10]];
        Assert.Equal([Record(1, Plain), Record(2, Plain), Record(3, Plain)], Records(Feed(reader, bytes)));
        Assert.Equal([Record(4, Plain)], Records(Feed(reader, Record(4, Plain)[10..])));
    }

    [Fact]
    public void SeveralCombinedFramesInOneReadAreReadInOrderAndAnEmptyFrameIsSkipped()
    {
        var reader = Reader(combined: true);
        byte[] bytes = [.. Frame(Plain, Record(1, Plain)), .. Frame(Plain), .. Frame(Plain, Record(2, Plain), Record(3, Plain))];
        Assert.Equal([Record(1, Plain), Record(2, Plain), Record(3, Plain)], Records(Feed(reader, bytes)));
    }

    [Theory]
    [InlineData(false, 17, 16)]
    [InlineData(true, 7, 6)]
    public void ACombinedCountAboveTheMaximumIsAProtocolError(bool withPayload, int count, int maximum)
    {
        var reader = new ResponseRecordReader(64 * 1024, combined: true, withPayload, payloadRequested: false);
        var frame = new byte[2];
        CombinedFrame.WriteCount(frame, count);

        var read = Feed(reader, frame);

        Assert.Equal(ResponseRecordReadResult.ProtocolError, Assert.Single(read).Result);
        Assert.Equal(count, reader.AnnouncedRecords);
        Assert.Equal(maximum, reader.MaxRecordsPerFrame);
    }

    [Fact]
    public void RecordsBeforeAnOversizedFrameAreStillRead()
    {
        var reader = Reader(combined: true);
        var bad = new byte[2];
        CombinedFrame.WriteCount(bad, 17);
        var read = Feed(reader, [.. Frame(Plain, Record(1, Plain)), .. bad]);
        Assert.Equal([ResponseRecordReadResult.Record, ResponseRecordReadResult.ProtocolError], read.Select(r => r.Result));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThePayloadAcknowledgmentSetsTheRecordSizeOfTheRecordsAfterIt(bool combined)
    {
        var reader = new ResponseRecordReader(64 * 1024, combined, withPayload: false, payloadRequested: true);
        var acknowledgment = new byte[Plain];
        ResponsePayloadExtension.WriteAcknowledgment(acknowledgment, 32);
        var extended = ResponsePayloadExtension.RecordSize(32);
        byte[] bytes = combined
            ? [.. Frame(Plain, acknowledgment), .. Frame(extended, Record(1, extended), Record(2, extended))]
            : [.. acknowledgment, .. Record(1, extended), .. Record(2, extended)];

        var read = Feed(reader, bytes);

        Assert.Equal(ResponseRecordReadResult.PayloadGranted, read[0].Result);
        Assert.Equal(32, reader.GrantedPayloadBytes);
        Assert.Equal(32, reader.PayloadBytes);
        Assert.Equal([Record(1, extended), Record(2, extended)], Records(read));
    }

    [Fact]
    public void ADeclinedAcknowledgmentKeepsTheRecordSize()
    {
        var reader = new ResponseRecordReader(64 * 1024, combined: false, withPayload: false, payloadRequested: true);
        var acknowledgment = new byte[Plain];
        ResponsePayloadExtension.WriteAcknowledgment(acknowledgment, 0);

        var read = Feed(reader, [.. acknowledgment, .. Record(1, Plain)]);

        Assert.Equal(ResponseRecordReadResult.PayloadGranted, read[0].Result);
        Assert.Equal(0, reader.PayloadBytes);
        Assert.Equal([Record(1, Plain)], Records(read));
    }

    [Fact]
    public void AnAcknowledgmentNobodyAskedForIsARecord()
    {
        var reader = Reader(combined: false);
        var acknowledgment = new byte[Plain];
        ResponsePayloadExtension.WriteAcknowledgment(acknowledgment, 32);
        Assert.Equal([acknowledgment], Records(Feed(reader, acknowledgment)));
        Assert.Equal(0, reader.PayloadBytes);
    }

    [Fact]
    public void ResetForgetsTheBufferedBytesAndTheGrantedSize()
    {
        var reader = new ResponseRecordReader(64 * 1024, combined: false, withPayload: false, payloadRequested: true);
        var acknowledgment = new byte[Plain];
        ResponsePayloadExtension.WriteAcknowledgment(acknowledgment, 32);
        Feed(reader, [.. acknowledgment, .. Record(1, 10)]);

        reader.Reset();

        Assert.Equal(0, reader.PayloadBytes);
        Assert.Equal([Record(2, Plain)], Records(Feed(reader, Record(2, Plain))));
    }

    [Fact]
    public void ReadBytesAreDroppedFromTheFrontSoTheBufferIsReusedForever()
    {
        // Ten rounds of two records through a buffer of two: it works only if read bytes make room.
        var reader = new ResponseRecordReader(2 * Plain, combined: false, withPayload: false, payloadRequested: false);
        for (byte i = 1; i <= 10; i++)
        {
            var first = Record(i, Plain);
            var second = Record((byte)(i + 100), Plain);
            Assert.Equal([first], Records(Feed(reader, [.. first, .. second[..20]])));
            Assert.Equal([second], Records(Feed(reader, second[20..])));
        }
    }

    [Fact]
    public void AFullBufferOfAnUnfinishedFrameLeavesNoFreeSpace()
    {
        var reader = new ResponseRecordReader(Plain, combined: true, withPayload: false, payloadRequested: false);
        Assert.Empty(Feed(reader, Frame(Plain, Record(1, Plain))[..Plain]));
        Assert.Equal(0, reader.FreeSpace.Length);
    }

    private static ResponseRecordReader Reader(bool combined) =>
        new(64 * 1024, combined, withPayload: false, payloadRequested: false);

    /// <summary>As the receive loop does: bytes into the free space, then every record they complete.</summary>
    private static List<(ResponseRecordReadResult Result, byte[] Bytes)> Feed(ResponseRecordReader reader, byte[] bytes)
    {
        bytes.CopyTo(reader.FreeSpace);
        reader.Advance(bytes.Length);
        var read = new List<(ResponseRecordReadResult, byte[])>();
        for (var result = reader.Read(out var record); result != ResponseRecordReadResult.NeedMoreData; result = reader.Read(out record))
        {
            read.Add((result, record.ToArray()));
            if (result == ResponseRecordReadResult.ProtocolError)
            {
                break;
            }
        }

        return read;
    }

    private static byte[][] Records(List<(ResponseRecordReadResult Result, byte[] Bytes)> read) =>
        [.. read.Where(r => r.Result == ResponseRecordReadResult.Record).Select(r => r.Bytes)];

    private static byte[] Record(byte marker, int size)
    {
        var record = new byte[size];
        record.AsSpan().Fill(marker);
        record[^1] = (byte)size;
        return record;
    }

    private static byte[] Frame(int recordSize, params byte[][] records)
    {
        var frame = new byte[2 + (records.Length * recordSize)];
        CombinedFrame.WriteCount(frame, records.Length);
        for (var i = 0; i < records.Length; i++)
        {
            records[i].CopyTo(frame, 2 + (i * recordSize));
        }

        return frame;
    }
}
