using System.Diagnostics;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Tests.Threading;

/// <summary>The offline replay rehearses its packet path until the JIT has optimized it (PacketPathRehearsal).</summary>
public class PacketPathRehearsalTests
{
    [Theory]
    [InlineData(PacingMode.Timeline)]
    [InlineData(PacingMode.WaitResponse)]
    public void EveryRoundDrivesEachMadeUpConnectionThroughTheRealCopyPath(PacingMode pacing)
    {
        var (rounds, forwarded) = PacketPathRehearsal.Run(pacing, TimeSpan.FromSeconds(5));

        Assert.True(rounds >= 3, $"{rounds} rounds");
        // Each client data segment reached the (discarding) target: handshake, translation and pacing all ran.
        Assert.Equal((long)rounds * PacketPathRehearsal.Connections * PacketPathRehearsal.Segments, forwarded);
    }

    [Fact]
    public void StopsAtItsBudgetAndAtCancellation()
    {
        var watch = Stopwatch.StartNew();
        var (rounds, _) = PacketPathRehearsal.Run(PacingMode.Timeline, TimeSpan.Zero);
        Assert.Equal(0, rounds);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        (rounds, _) = PacketPathRehearsal.Run(PacingMode.Timeline, TimeSpan.FromSeconds(5), cancelled.Token);
        Assert.Equal(0, rounds);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"took {watch.ElapsedMilliseconds} ms");
    }
}
