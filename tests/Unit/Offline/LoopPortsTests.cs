using TcpReplay.Engine.Offline;

namespace TcpReplay.Engine.Tests.Offline;

public class LoopPortsTests
{
    [Fact]
    public void TheFirstPlayKeepsTheCapturedPorts() => Assert.Equal(40001, LoopPorts.Fresh(40001, 0));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    public void EveryLaterPlayMovesEveryEphemeralPortToADistinctNewOne(int loop)
    {
        var seen = new HashSet<ushort>();
        for (var port = 1024; port <= 65535; port++)
        {
            var fresh = LoopPorts.Fresh((ushort)port, loop);
            Assert.NotEqual(port, fresh);
            Assert.InRange(fresh, 1024, 65535);
            Assert.True(seen.Add(fresh), $"port {fresh} given twice in play {loop}");
        }
    }

    [Fact]
    public void PlaysGiveAPortDifferentValues()
    {
        var values = Enumerable.Range(0, 50).Select(loop => LoopPorts.Fresh(40001, loop)).ToHashSet();
        Assert.Equal(50, values.Count);
    }

    [Fact]
    public void WellKnownClientPortsAreKept() => Assert.Equal(80, LoopPorts.Fresh(80, 3));
}
