using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Capture;

[Collection(LabCollection.Name)]
public class AutoCaptureTests
{
    private static readonly TimeSpan ClientLimit = TimeSpan.FromSeconds(20);

    [RootFact]
    public void ChoosesTheIpLayerForALocalServiceAndDeliversTheSynOfEveryConnectionAcrossTheSwitch()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        using var decided = new ManualResetEventSlim();
        AutoCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new AutoCapture(OnlineInterface, [Port], pool);
            capture.Decided += _ => decided.Set();
            capture.Start(sink);
        }

        int attempted;
        using (capture)
        {
            Assert.Null(capture.Decision);
            Assert.Equal(CaptureLayer.Datalink, capture.Layer);

            // Spread over ~2 s: the decision and the switch happen while connections keep coming.
            attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 40, TimeSpan.FromMilliseconds(50), ClientLimit);
            Assert.True(decided.Wait(TimeSpan.FromSeconds(5)), "No decision.");
            Assert.True(sink.WaitUntil(p => DistinctSyns(p) >= attempted, TimeSpan.FromSeconds(5)), $"{DistinctSyns(sink.Packets)} of {attempted} SYNs delivered.");
            WaitFor(() => capture.Description.StartsWith("auto: raw IPv4 socket", StringComparison.Ordinal), TimeSpan.FromSeconds(3));

            var decision = capture.Decision!;
            Assert.Equal(CaptureLayer.IpLayer, decision.Layer);
            Assert.Equal(CaptureLayer.IpLayer, capture.Layer);
            Assert.Contains("the IP layer saw", decision.Reason);
            Assert.Contains("delivered locally", decision.Reason);
            Assert.True(decision.DatalinkPackets >= 20, $"{decision}");
            Assert.True(decision.IpLayerPackets >= 16, $"{decision}");
            Assert.Equal(sink.Count, capture.Statistics.Delivered);
        }

        Assert.Equal(attempted, DistinctSyns(sink.Packets));
        Assert.Equal(LinkType.Ethernet, sink.Packets.First().LinkType);
        Assert.Equal(LinkType.Ipv4, sink.Packets.Last().LinkType);
        Assert.Equal(0, pool.Outstanding);
    }

    [RootFact]
    public void DeliversNoConnectionsSegmentBeforeItsSynAcrossTheSwitch()
    {
        // Connections every 4 ms, each a request and its close, captured with a live copy's batch windows (libpcap in
        // 10 ms blocks, the raw socket at 1 ms): the switch to the raw socket falls among them while libpcap still
        // holds a block of their packets, so delivering the raw socket's packets at once would put some connections'
        // data before their SYN (their copies would start mid-stream).
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        AutoCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new AutoCapture(OnlineInterface, [Port], pool, options: new CaptureOptions
            {
                BatchWindow = TimeSpan.FromMilliseconds(1),
                DatalinkBatchWindow = TimeSpan.FromMilliseconds(10),
            });
            capture.Start(sink);
        }

        int attempted;
        using (capture)
        {
            attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 400, TimeSpan.FromMilliseconds(4), ClientLimit);
            Assert.True(sink.WaitUntil(p => DistinctSyns(p) >= attempted, TimeSpan.FromSeconds(5)), $"{DistinctSyns(sink.Packets)} of {attempted} SYNs delivered.");
            WaitFor(() => capture.Description.StartsWith("auto: raw IPv4 socket", StringComparison.Ordinal), TimeSpan.FromSeconds(3));
        }

        // Each connection's segments, in the order first delivered: a SYN opens it (a client port may come back for a
        // later connection: the server closes first, so the port is free at once), and no segment may come after one
        // further on in its sequence space (a repeat of one already delivered is a duplicate, which is allowed).
        var next = new Dictionary<int, uint>();
        var delivered = new HashSet<(int Port, uint Sequence)>();
        var outOfOrder = new List<string>();
        foreach (var packet in sink.Packets)
        {
            if (packet.Tcp is not { } tcp)
            {
                continue;
            }

            var port = tcp.SourcePort;
            if (tcp is { Synchronize: true, Acknowledgment: false })
            {
                next[port] = tcp.SequenceNumber + 1;
                continue;
            }

            var length = (uint)(tcp.PayloadData?.Length ?? 0) + (tcp.Finished ? 1u : 0u);
            if (length == 0 || !delivered.Add((port, tcp.SequenceNumber)))
            {
                continue;
            }

            if (!next.TryGetValue(port, out var expected))
            {
                outOfOrder.Add($"{port} seq {tcp.SequenceNumber} before its SYN");
            }
            else if ((int)(tcp.SequenceNumber - expected) < 0)
            {
                outOfOrder.Add($"{port} seq {tcp.SequenceNumber} after {expected - tcp.SequenceNumber} bytes further on");
            }
            else
            {
                next[port] = tcp.SequenceNumber + length;
            }
        }

        Assert.Equal(attempted, DistinctSyns(sink.Packets));
        Assert.True(outOfOrder.Count == 0, $"{outOfOrder.Count} segments out of their connection's order, e.g. {string.Join("; ", outOfOrder.Take(5))}");
        Assert.Equal(0, pool.Outstanding);
    }

    [RootFact]
    public void ChoosesTheDatalinkForAServiceBehindDnatAndSaysWhy()
    {
        using var lab = new LabNetwork();
        Dnat(lab);
        lab.StartHttpServer(Service, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        CaptureDecision? raised = null;
        AutoCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new AutoCapture(OnlineInterface, [Port], pool);
            capture.Decided += decision => raised = decision;
            capture.Start(sink);
        }

        int attempted;
        using (capture)
        {
            attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 20, TimeSpan.FromMilliseconds(50), ClientLimit);
            WaitFor(() => raised is not null, TimeSpan.FromSeconds(5));
            Assert.True(sink.WaitUntil(p => DistinctSyns(p) >= attempted, TimeSpan.FromSeconds(5)));
        }

        var decision = capture.Decision!;
        Assert.Same(decision, raised);
        Assert.Equal(CaptureLayer.Datalink, decision.Layer);
        Assert.Equal(CaptureLayer.Datalink, capture.Layer);
        Assert.Equal(0, decision.IpLayerPackets);
        Assert.True(decision.DatalinkPackets >= 20, $"{decision}");
        Assert.StartsWith("the IP layer saw 0 of ", decision.Reason);
        Assert.Contains("client packets for port 8080 that the datalink saw", decision.Reason);
        Assert.Contains("forwarding (DNAT", decision.Reason);
        Assert.EndsWith("using libpcap on eth0", decision.Reason);
        Assert.Equal(attempted, DistinctSyns(sink.Packets));
        Assert.All(sink.Packets, packet => Assert.Equal(LinkType.Ethernet, packet.LinkType));
    }

    [RootFact]
    public void WithoutTrafficKeepsProbingAndDisposesWithinTwoSeconds()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        AutoCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new AutoCapture(OnlineInterface, [Port], pool, options: CaptureOptions.Default with { ProbeTime = TimeSpan.FromMilliseconds(300) });
            capture.Start(new CollectingSink(pool));
        }

        Thread.Sleep(600);
        Assert.Null(capture.Decision);
        Assert.Equal(CaptureStatus.Running, capture.Status);
        Assert.Contains("probing raw IPv4 socket", capture.Description);
        var clock = Stopwatch.StartNew();
        capture.Dispose();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {clock.Elapsed}.");
        Assert.Equal(CaptureStatus.Stopped, capture.Status);
    }

    [RootFact]
    public void DisposeReturnsWithinTwoSecondsWhileTrafficFlows()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        AutoCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new AutoCapture(OnlineInterface, [Port], pool);
            capture.Start(sink);
        }

        var client = lab.StartClient(Client, OnlineAddress, Port, connections: 1000, TimeSpan.Zero, TimeSpan.FromSeconds(8));
        Assert.True(sink.WaitUntil(p => p.Count > 50, TimeSpan.FromSeconds(5)), "No traffic flowed.");
        var clock = Stopwatch.StartNew();
        capture.Dispose();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {clock.Elapsed}.");
        Assert.False(client.HasExited, "The traffic ended before the capture was disposed; the test proves nothing.");
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void AMissingInterfaceIsTheCallersMistakeAndIsThrown()
    {
        var error = Assert.Throws<CaptureException>(() => new AutoCapture("trcnone" + Random.Shared.Next(100000, 999999), [Port], new PacketBufferPool()));
        Assert.Equal(CaptureErrorKind.InterfaceNotFound, error.Kind);
    }

    private static int DistinctSyns(IEnumerable<CapturedPacket> packets) => packets
        .Select(packet => packet.Tcp)
        .Where(tcp => tcp is { Synchronize: true, Acknowledgment: false })
        .Select(tcp => (tcp!.SourcePort, tcp.SequenceNumber))
        .Distinct()
        .Count();

    private static void WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, "The condition did not hold in time.");
            Thread.Sleep(20);
        }
    }
}
