using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>Captures end with a status and a reason, and count what the kernel dropped.</summary>
[Collection(LabCollection.Name)]
public class CaptureFailureTests
{
    [RootFact]
    public void AnInterfaceThatDisappearsFailsTheLibpcapCaptureWithTheReason()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        PcapCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool);
            capture.Start(new CollectingSink(pool));
        }

        using (capture)
        {
            lab.Run(Online, "ip", "link", "del", OnlineInterface);
            WaitFor(() => capture.Status == CaptureStatus.Failed, TimeSpan.FromSeconds(5));
        }

        Assert.Equal(CaptureStatus.Failed, capture.Status);
        Assert.Contains("libpcap stopped reading eth0", capture.FailureReason);
    }

    [RootFact]
    public void AutoCaptureFallsBackToTheIpLayerWhenLibpcapDiesWhileProbing()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        AutoCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new AutoCapture(OnlineInterface, [Port], pool);
            capture.Start(new CollectingSink(pool));
        }

        using (capture)
        {
            lab.Run(Online, "ip", "link", "del", OnlineInterface);
            WaitFor(() => capture.Decision is not null, TimeSpan.FromSeconds(5));
            Assert.Equal(CaptureLayer.IpLayer, capture.Decision!.Layer);
            Assert.Contains("libpcap on eth0 stopped while probing", capture.Decision.Reason);
            Assert.Equal(CaptureLayer.IpLayer, capture.Layer);
            Assert.Equal(CaptureStatus.Running, capture.Status);
        }
    }

    [RootTheory]
    [InlineData("raw")]
    [InlineData("pcap")]
    public void CountsWhatTheKernelDroppedWhileTheConsumerStalled(string kind)
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        using var release = new ManualResetEventSlim();
        var sink = new StallingSink(pool, release);

        // The smallest kernel buffer, so a short burst overflows it while the sink holds the capture thread.
        var options = CaptureOptions.Default with { KernelBufferBytes = 65536 };
        ICaptureSource capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = kind == "raw"
                ? new RawSocketCapture([Port], pool, options: options)
                : new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool, options);
            capture.Start(sink);
        }

        try
        {
            lab.RunClient(Client, OnlineAddress, Port, connections: 300, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }
        finally
        {
            release.Set();
        }

        // The final statistics read happens when the loop ends.
        Thread.Sleep(300);
        capture.Dispose();
        var statistics = capture.Statistics;
        Assert.True(statistics.KernelDropped > 0, $"{statistics}");
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < timeout)
        {
            Thread.Sleep(20);
        }
    }

    /// <summary>Holds the capture thread on the first packet until released.</summary>
    private sealed class StallingSink(PacketBufferPool pool, ManualResetEventSlim release) : ICaptureSink
    {
        public void OnPacket(PacketBuffer buffer, LinkType linkType)
        {
            release.Wait(TimeSpan.FromSeconds(20));
            pool.Return(buffer);
        }
    }
}
