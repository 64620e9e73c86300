using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Tests.Channel;

public class ParkingLotTests
{
    private static readonly ChannelKey A = ChannelKey.From(1, 1, 9, 9);
    private static readonly ChannelKey B = ChannelKey.From(2, 2, 9, 9);

    private static byte[] Record(byte tag)
    {
        var record = new byte[64];
        record[0] = tag;
        return record;
    }

    [Fact]
    public void RecordsOfAKeyAreTakenInArrivalOrderAndOthersStay()
    {
        var lot = new ParkingLot(64, 10);
        lot.Park(A, Record(1), 100, out _);
        lot.Park(B, Record(2), 100, out _);
        lot.Park(A, Record(3), 100, out _);
        var taken = new byte[64];

        Assert.True(lot.TryTake(A, taken));
        Assert.Equal(1, taken[0]);
        Assert.True(lot.TryTake(A, taken));
        Assert.Equal(3, taken[0]);
        Assert.False(lot.TryTake(A, taken));
        Assert.Equal(1, lot.Count);
    }

    [Fact]
    public void ExpiryDropsOnlyRecordsWhoseDeadlinePassed()
    {
        var lot = new ParkingLot(64, 10);
        lot.Park(A, Record(1), 100, out _);
        lot.Park(B, Record(2), 200, out _);

        Assert.Equal(1, lot.Expire(150));

        Assert.False(lot.TryTake(A, new byte[64]));
        Assert.True(lot.TryTake(B, new byte[64]));
    }

    [Fact]
    public void AFullLotEvictsItsOldestRecordAndReusesTheSlot()
    {
        var lot = new ParkingLot(64, 2);
        lot.Park(A, Record(1), 100, out var first);
        lot.Park(B, Record(2), 100, out _);

        lot.Park(B, Record(3), 100, out var evicted);

        Assert.False(first);
        Assert.True(evicted);
        Assert.Equal(2, lot.Count);
        Assert.False(lot.TryTake(A, new byte[64]));
        var taken = new byte[64];
        Assert.True(lot.TryTake(B, taken));
        Assert.Equal(2, taken[0]);
    }

    [Fact]
    public void AZeroBoundDisablesParking()
    {
        var lot = new ParkingLot(64, 0);

        Assert.False(lot.Park(A, Record(1), 100, out _));
        Assert.Equal(0, lot.Count);
    }

    [Fact]
    public void TheLotGrowsBeyondItsFirstAllocationUpToTheBound()
    {
        var lot = new ParkingLot(64, 1000);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(lot.Park(ChannelKey.From((uint)i, 1, 9, 9), Record((byte)i), 100, out var evicted));
            Assert.False(evicted);
        }

        Assert.Equal(1000, lot.Count);
        Assert.Equal(1000, lot.Expire(100));
        Assert.Equal(0, lot.Count);
    }
}
