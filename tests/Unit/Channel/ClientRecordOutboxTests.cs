using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

public class ClientRecordOutboxTests
{
    private const int RecordSize = ChannelProtocol.ClientRecordSize;

    private static ClientRecord Add(int n) => new((uint)(0xC6130000 + n), (ushort)(40000 + n), ClientRecordType.Add, 0xC612001E, 8080);

    private static List<ClientRecord> Read(byte[] chunk, int length)
    {
        var records = new List<ClientRecord>();
        for (var at = 0; at < length; at += RecordSize)
        {
            Assert.True(ClientRecord.TryRead(chunk.AsSpan(at, RecordSize), out var record));
            records.Add(record);
        }

        return records;
    }

    [Fact]
    public void TheCapacityIsRoundedDownToWholeRecords()
    {
        var outbox = new ClientRecordOutbox((3 * RecordSize) + 5);

        Assert.Equal(3 * RecordSize, outbox.Capacity);
    }

    [Fact]
    public void RecordsComeOutInTheOrderTheyWereQueued()
    {
        var outbox = new ClientRecordOutbox(4 * RecordSize);
        outbox.TryAppend(Add(1));
        outbox.TryAppend(Add(2));
        var chunk = new byte[4 * RecordSize];

        var taken = outbox.TakeInto(chunk);

        Assert.Equal(2 * RecordSize, taken);
        Assert.Equal([Add(1), Add(2)], Read(chunk, taken));
        Assert.Equal(0, outbox.Count);
    }

    [Fact]
    public void AFullOutboxRefusesTheNextRecordAndKeepsWhatItHolds()
    {
        var outbox = new ClientRecordOutbox(2 * RecordSize);
        Assert.True(outbox.TryAppend(Add(1)));
        Assert.True(outbox.TryAppend(Add(2)));

        Assert.False(outbox.TryAppend(Add(3)));
        Assert.Equal(2 * RecordSize, outbox.Count);
    }

    [Fact]
    public void ASmallChunkTakesTheOldestRecordsAndLeavesTheRest()
    {
        var outbox = new ClientRecordOutbox(4 * RecordSize);
        for (var i = 1; i <= 3; i++)
        {
            outbox.TryAppend(Add(i));
        }

        var chunk = new byte[2 * RecordSize];
        var first = outbox.TakeInto(chunk);
        Assert.Equal([Add(1), Add(2)], Read(chunk, first));

        var second = outbox.TakeInto(chunk);
        Assert.Equal([Add(3)], Read(chunk, second));
    }

    [Fact]
    public void RecordsThatWrapAroundTheRingComeOutWholeAndInOrder()
    {
        var outbox = new ClientRecordOutbox(3 * RecordSize);
        var chunk = new byte[3 * RecordSize];
        outbox.TryAppend(Add(1));
        outbox.TryAppend(Add(2));
        outbox.TakeInto(new byte[2 * RecordSize]);
        outbox.TryAppend(Add(3));
        outbox.TryAppend(Add(4));
        outbox.TryAppend(Add(5));

        var taken = outbox.TakeInto(chunk);

        Assert.Equal([Add(3), Add(4), Add(5)], Read(chunk, taken));
    }

    [Fact]
    public void ClearDropsEverythingQueued()
    {
        var outbox = new ClientRecordOutbox(4 * RecordSize);
        outbox.TryAppend(Add(1));

        outbox.Clear();

        Assert.Equal(0, outbox.Count);
        Assert.Equal(0, outbox.TakeInto(new byte[4 * RecordSize]));
    }
}
