using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Connections;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Capture;

[Collection(LabCollection.Name)]
public class RawSocketCaptureTests
{
    private const ushort OtherPort = 9090;

    [RootFact]
    public void DeliversClientPacketsForThePortOfALocalServiceAndNothingElse()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        lab.StartHttpServer(Online, OtherPort);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        RawSocketCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(sink);
        }

        using (capture)
        {
            var attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 5, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            lab.RunClient(Client, OnlineAddress, OtherPort, connections: 5, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            Assert.True(
                sink.WaitUntil(p => p.Count(x => x.Tcp is { Synchronize: true, Acknowledgment: false }) >= attempted, TimeSpan.FromSeconds(5)),
                $"Expected {attempted} SYNs, got {sink.Count} packets.");
        }

        Assert.All(sink.Packets, packet =>
        {
            Assert.Equal(LinkType.Ipv4, packet.LinkType);
            Assert.Equal(Port, packet.Tcp!.DestinationPort);
        });
        var statistics = capture.Statistics;
        Assert.Equal(sink.Count, statistics.Delivered);

        // The socket read the other port's packets (and the server's answers) too, and dropped them in user space.
        Assert.True(statistics.Received > statistics.Delivered, $"{statistics}");
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(CaptureStatus.Stopped, capture.Status);
    }

    [RootFact]
    public void WithABatchWindowDeliversEveryPacketSoonAfterItCame() =>
        BatchWindowCheck.DeliversEverySynSoonAfterTheClients(pool => new RawSocketCapture([Port], pool, options: BatchWindowCheck.OneMillisecond));

    [RootFact]
    public void ReadByTheEnginesPollItDeliversEveryPacketSoonAfterItCameOnThePollingThread()
    {
        PollingLoop? loop = null;
        var threads = new HashSet<int>();
        try
        {
            BatchWindowCheck.DeliversEverySynSoonAfterTheClients(
                pool =>
                {
                    var capture = new RawSocketCapture([Port], pool, options: BatchWindowCheck.OneMillisecond);
                    loop = new PollingLoop(capture.ReadOnPollingThread(), answers: null);
                    return capture;
                },
                sink => new ThreadNotingSink(sink, threads));
        }
        finally
        {
            loop?.Dispose();
        }

        Assert.Equal([loop!.ThreadId], threads);
    }

    [RootFact]
    public void ReadByTheEnginesPollDisposeReturnsWithinTwoSecondsWhileTrafficFlows()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        RawSocketCapture capture;
        PollingLoop loop;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            loop = new PollingLoop(capture.ReadOnPollingThread(), answers: null);
            capture.Start(sink);
        }

        using (loop)
        {
            var client = lab.StartClient(Client, OnlineAddress, Port, connections: 1000, TimeSpan.Zero, TimeSpan.FromSeconds(8));
            Assert.True(sink.WaitUntil(p => p.Count > 50, TimeSpan.FromSeconds(5)), "No traffic flowed.");
            var clock = Stopwatch.StartNew();
            capture.Dispose();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {clock.Elapsed}.");
            Assert.False(client.HasExited, "The traffic ended before the capture was disposed; the test proves nothing.");
            Assert.Equal(CaptureStatus.Stopped, capture.Status);
            var delivered = capture.Statistics.Delivered;
            Thread.Sleep(100);
            Assert.Equal(delivered, capture.Statistics.Delivered);
        }

        Assert.Equal(0, pool.Outstanding);
    }

    [RootFact]
    public void AQuietPortsPacketsAreHandedOverAtOnceEvenWithABatchWindow()
    {
        // A 100 ms window: were the capture to gather after every wake-up, the second and third packet, 20 ms apart,
        // would wait for the end of the first's window (60-80 ms). Three packets are below the busy mark, so none waits.
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        RawSocketCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool, options: new CaptureOptions { BatchWindow = TimeSpan.FromMilliseconds(100) });
            capture.Start(sink);
        }

        var sentAt = new List<long>();
        using (capture)
        {
            using (NetworkNamespaceScope.Enter(lab.Name(Client)))
            using (var sender = new TcpReplay.Engine.Transmit.RawIpSender())
            {
                for (ushort i = 0; i < 3; i++)
                {
                    var syn = new byte[40];
                    TcpReplay.Engine.Connections.SegmentWriter.Write(syn, 0xC612000A, (ushort)(41000 + i), 0xC6120014, Port, 1, 0, TcpReplay.Engine.Packets.TcpFlags.Syn, 1024, [], [], 1);
                    sentAt.Add(RawSocketCapture.UnixNanosecondsNow());
                    Assert.Equal(0, sender.Send(syn, 0xC6120014));
                    Thread.Sleep(20);
                }
            }

            Assert.True(sink.WaitUntil(p => p.Count(x => x.Tcp is { SourcePort: >= 41000 and <= 41002 }) == 3, TimeSpan.FromSeconds(5)));
        }

        var delivered = sink.Packets.Where(x => x.Tcp is { SourcePort: >= 41000 and <= 41002 }).OrderBy(x => x.Tcp!.SourcePort).ToArray();
        for (var i = 0; i < 3; i++)
        {
            var late = TimeSpan.FromTicks((delivered[i].TimestampNanoseconds - sentAt[i]) / 100);
            Assert.True(late < TimeSpan.FromMilliseconds(40), $"packet {i} was handed over {late.TotalMilliseconds:0.0} ms after it was sent");
        }
    }

    [RootFact]
    public void KeepsOnlyPacketsToTheGivenDestinationAddress()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.Run(Online, "ip", "addr", "add", "198.18.0.21/24", "dev", OnlineInterface);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        RawSocketCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool, destinationAddress: 0xC6120015); // 198.18.0.21
            capture.Start(sink);
        }

        using (capture)
        {
            lab.RunClient(Client, OnlineAddress, Port, connections: 3, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            var attempted = lab.RunClient(Client, "198.18.0.21", Port, connections: 3, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            Assert.True(sink.WaitUntil(p => p.Count(x => x.Tcp is { Synchronize: true }) >= attempted, TimeSpan.FromSeconds(5)));
        }

        Assert.All(sink.Packets, packet => Assert.Equal("198.18.0.21", ((PacketDotNet.IPv4Packet)packet.Tcp!.ParentPacket).DestinationAddress.ToString()));
    }

    [RootFact]
    public void SeesNoPacketOfAServiceReachedThroughDnat()
    {
        using var lab = new LabNetwork();
        Dnat(lab);
        lab.StartHttpServer(Service, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        RawSocketCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(sink);
        }

        using (capture)
        {
            // The connections succeed through the DNAT (so the packets did cross the online host)...
            var client = lab.StartClient(Client, OnlineAddress, Port, connections: 5, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            LabNetwork.WaitForClient(client, TimeSpan.FromSeconds(10));
            Thread.Sleep(300);
        }

        var served = lab.Run(Online, "iptables", "-t", "nat", "-L", "PREROUTING", "-v", "-n", "-x");
        Assert.Contains("DNAT", served);

        // ...but forwarded packets never reach the raw socket: this is why AutoCapture and the monitor exist.
        Assert.Equal(0, capture.Statistics.Delivered);
        Assert.Empty(sink.Packets);
    }

    [RootFact]
    public void DisposeReturnsWithinTwoSecondsWhileIdle()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        RawSocketCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
            capture.Start(new CollectingSink(pool));
        }

        Thread.Sleep(200);
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
        RawSocketCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
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

    [RootFact]
    public void DisposeBeforeStartReleasesTheSocketAndStartAfterDisposeThrows()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        var pool = new PacketBufferPool();
        RawSocketCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new RawSocketCapture([Port], pool);
        }

        capture.Dispose();
        capture.Dispose();
        Assert.Throws<ObjectDisposedException>(() => capture.Start(new CollectingSink(pool)));
    }

    /// <summary>Notes which threads deliver, then hands the packet on.</summary>
    private sealed class ThreadNotingSink(ICaptureSink inner, HashSet<int> threads) : ICaptureSink
    {
        public void OnPacket(PacketBuffer buffer, LinkType linkType)
        {
            lock (threads)
            {
                threads.Add(Environment.CurrentManagedThreadId);
            }

            inner.OnPacket(buffer, linkType);
        }
    }
}
