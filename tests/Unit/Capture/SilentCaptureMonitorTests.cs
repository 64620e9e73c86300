using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;

namespace TcpReplay.Engine.Tests.Capture;

[Collection(LabCollection.Name)]
public class SilentCaptureMonitorTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(1.5);

    [RootFact]
    public void WarnsThatTheTrafficIsForwardedWhenTheRawSocketMissesADnatService()
    {
        using var lab = new LabNetwork();
        Dnat(lab);
        lab.StartHttpServer(Service, Port);
        var pool = new PacketBufferPool();
        using var warned = new ManualResetEventSlim();
        RawSocketCapture capture;
        SilentCaptureMonitor monitor;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(new CollectingSink(pool));
            monitor = new SilentCaptureMonitor(capture, OnlineInterface, [Port], window: Window, datalinkLook: Look);
            monitor.WarningRaised += _ => warned.Set();
            monitor.Start();
        }

        using (capture)
        using (monitor)
        {
            lab.StartClient(Client, OnlineAddress, Port, connections: 200, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));
            Assert.True(warned.Wait(TimeSpan.FromSeconds(8)), "No warning.");
        }

        Assert.Equal(SilentCaptureFinding.Forwarded, monitor.Finding);
        Assert.True(monitor.DatalinkPackets > 0);
        Assert.Contains("captured no client packet for port 8080", monitor.Warning);
        Assert.Contains($"libpcap on eth0 saw {monitor.DatalinkPackets}", monitor.Warning);
        Assert.Contains("DNAT", monitor.Warning);
        Assert.Contains("-CaptureMode Pcap", monitor.Warning);
    }

    [RootFact]
    public void WarnsThatNobodySendsWhenNeitherLayerSeesAPacket()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        using var warned = new ManualResetEventSlim();
        RawSocketCapture capture;
        SilentCaptureMonitor monitor;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(new CollectingSink(pool));
            monitor = new SilentCaptureMonitor(capture, OnlineInterface, [Port], window: Window, datalinkLook: Look);
            monitor.WarningRaised += _ => warned.Set();
            monitor.Start();
        }

        using (capture)
        using (monitor)
        {
            Assert.True(warned.Wait(TimeSpan.FromSeconds(8)), "No warning.");
        }

        Assert.Equal(SilentCaptureFinding.NoTraffic, monitor.Finding);
        Assert.Equal(0, monitor.DatalinkPackets);
        Assert.Contains("nobody sends to this port", monitor.Warning);
    }

    [RootFact]
    public void ClearsTheNobodySendsWarningOnceTheClientsStartTalking()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        using var warned = new ManualResetEventSlim();
        using var cleared = new ManualResetEventSlim();
        RawSocketCapture capture;
        SilentCaptureMonitor monitor;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(new CollectingSink(pool));
            monitor = new SilentCaptureMonitor(capture, OnlineInterface, [Port], window: Window, datalinkLook: Look);
            monitor.WarningRaised += _ => warned.Set();
            monitor.WarningCleared += cleared.Set;
            monitor.Start();
        }

        using (capture)
        using (monitor)
        {
            Assert.True(warned.Wait(TimeSpan.FromSeconds(8)), "No warning.");
            lab.StartHttpServer(Online, Port);
            lab.StartClient(Client, OnlineAddress, Port, connections: 200, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));
            Assert.True(cleared.Wait(TimeSpan.FromSeconds(8)), "The warning was not cleared.");
        }

        Assert.Null(monitor.Warning);
        Assert.Equal(SilentCaptureFinding.None, monitor.Finding);
    }

    [RootFact]
    public void StaysQuietWhileTheRawSocketDeliversTheClientsPackets()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var warnings = 0;
        RawSocketCapture capture;
        SilentCaptureMonitor monitor;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(new CollectingSink(pool));
            monitor = new SilentCaptureMonitor(capture, OnlineInterface, [Port], window: Window, datalinkLook: Look);
            monitor.WarningRaised += _ => Interlocked.Increment(ref warnings);
            monitor.Start();
        }

        using (capture)
        using (monitor)
        {
            lab.StartClient(Client, OnlineAddress, Port, connections: 200, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));

            // Past the window plus a look: a silent capture would have been reported by now.
            Thread.Sleep(Window + Look + TimeSpan.FromSeconds(0.5));
            Assert.True(capture.Statistics.Delivered > 0);
        }

        Assert.Equal(0, warnings);
        Assert.Null(monitor.Warning);
        Assert.Equal(SilentCaptureFinding.None, monitor.Finding);
    }

    [RootFact]
    public void DisposeCutsALookShortWithinTwoSeconds()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        RawSocketCapture capture;
        SilentCaptureMonitor monitor;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(new CollectingSink(pool));
            monitor = new SilentCaptureMonitor(capture, OnlineInterface, [Port], window: TimeSpan.FromMilliseconds(200), datalinkLook: TimeSpan.FromSeconds(30));
            monitor.Start();
        }

        using (capture)
        {
            // Inside the 30 s look.
            Thread.Sleep(800);
            var clock = Stopwatch.StartNew();
            monitor.Dispose();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {clock.Elapsed}.");
        }
    }
}
