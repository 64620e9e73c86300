using TcpReplay.Engine.Buffers;

namespace TcpReplay.Engine.Tests.Buffers;

public class PacketBufferPoolTests
{
    [Fact]
    public void RentedBufferStartsEmptyWithThePoolsCapacity()
    {
        var pool = new PacketBufferPool(bufferSize: 2048);
        var buffer = pool.Rent();
        Assert.Equal(0, buffer.Length);
        Assert.Equal(2048, buffer.Capacity);
        Assert.Equal(1, pool.Outstanding);
    }

    [Fact]
    public void ReturnedBufferIsReusedAndReset()
    {
        var pool = new PacketBufferPool(bufferSize: 128);
        var first = pool.Rent();
        first.Length = 60;
        first.TimestampNanoseconds = 42;
        pool.Return(first);

        var second = pool.Rent();
        Assert.Same(first, second);
        Assert.Equal(0, second.Length);
        Assert.Equal(0, second.TimestampNanoseconds);
        Assert.Equal(1, pool.Outstanding);
    }

    [Fact]
    public void DoubleReturnIsCaught()
    {
        var pool = new PacketBufferPool(bufferSize: 128);
        var buffer = pool.Rent();
        pool.Return(buffer);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Return(buffer));
        Assert.Contains("returned twice", error.Message);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void ReturnToAnotherPoolIsCaught()
    {
        var pool = new PacketBufferPool(bufferSize: 128);
        var other = new PacketBufferPool(bufferSize: 128);
        var buffer = pool.Rent();
        Assert.Throws<InvalidOperationException>(() => other.Return(buffer));
        pool.Return(buffer);
    }

    [Fact]
    public void PoolKeepsNoMoreThanMaximumRetainedIdleBuffers()
    {
        var pool = new PacketBufferPool(bufferSize: 128, maximumRetained: 2);
        var rented = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        rented.ForEach(pool.Return);

        var again = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        Assert.Equal(2, again.Count(rented.Contains));
    }

    [Fact]
    public void RentAndReturnOnAWarmPoolAllocateNothing()
    {
        var pool = new PacketBufferPool(bufferSize: 2048);
        pool.Return(pool.Rent());
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            pool.Return(pool.Rent());
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
