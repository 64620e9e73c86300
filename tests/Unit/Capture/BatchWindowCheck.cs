using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>What any capture with a <see cref="CaptureOptions.BatchWindow"/> must do: deliver every packet, soon.</summary>
internal static class BatchWindowCheck
{
    public static CaptureOptions OneMillisecond { get; } = new() { BatchWindow = TimeSpan.FromMilliseconds(1) };

    /// <summary>As the copier's client capture: raw-socket drains 1 ms late, libpcap blocks 10 ms late.</summary>
    public static CaptureOptions TenMillisecondDatalink { get; } = OneMillisecond with { DatalinkBatchWindow = TimeSpan.FromMilliseconds(10) };

    /// <summary>Opens the capture in the online host's namespace, runs clients, and checks every SYN came within 1 s of them.</summary>
    /// <param name="open">Opens the capture on the pool given.</param>
    /// <param name="wrap">The sink the capture is started with, around the collecting one (null: the collecting one).</param>
    public static void DeliversEverySynSoonAfterTheClients(Func<PacketBufferPool, ICaptureSource> open, Func<CollectingSink, ICaptureSink>? wrap = null)
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        ICaptureSource capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = open(pool);
            capture.Start(wrap is null ? sink : wrap(sink));
        }

        using (capture)
        {
            var attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 5, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));

            // A batch is handed over 1 ms after its first packet; the bound leaves room for a busy machine.
            var clock = Stopwatch.StartNew();
            Assert.True(
                sink.WaitUntil(p => p.Count(x => x.Tcp is { Synchronize: true, Acknowledgment: false }) >= attempted, TimeSpan.FromSeconds(5)),
                $"Expected {attempted} SYNs, got {sink.Count} packets.");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"The last SYN came {clock.Elapsed.TotalMilliseconds:0} ms after the clients had finished.");
        }

        Assert.All(sink.Packets, packet => Assert.Equal(Port, packet.Tcp!.DestinationPort));
        Assert.Equal(sink.Count, capture.Statistics.Delivered);
        Assert.Equal(0, capture.Statistics.KernelDropped);
        Assert.Equal(0, pool.Outstanding);
    }
}
