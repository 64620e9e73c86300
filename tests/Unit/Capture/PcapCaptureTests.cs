using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Capture;

[Collection(LabCollection.Name)]
public class PcapCaptureTests
{
    [RootFact]
    public void DeliversTheFilteredClientFramesWithTheEthernetLinkType()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        PcapCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool);
            capture.Start(sink);
        }

        var before = RawSocketCapture.UnixNanosecondsNow();
        using (capture)
        {
            Assert.Equal(LinkType.Ethernet, capture.LinkType);
            Assert.Equal(CaptureStatus.Running, capture.Status);
            var attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 5, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            Assert.True(
                sink.WaitUntil(p => p.Count(x => x.Tcp is { Synchronize: true, Acknowledgment: false }) >= attempted, TimeSpan.FromSeconds(5)),
                $"Expected {attempted} SYNs, got {sink.Count} packets.");
        }

        var after = RawSocketCapture.UnixNanosecondsNow();
        Assert.All(sink.Packets, packet =>
        {
            Assert.Equal(LinkType.Ethernet, packet.LinkType);
            Assert.Equal(Port, packet.Tcp!.DestinationPort);
            Assert.Equal(ClientMac.Replace(":", string.Empty), packet.Ethernet!.SourceHardwareAddress.ToString(), ignoreCase: true);
            Assert.InRange(packet.TimestampNanoseconds, before - 1_000_000_000, after);
        });
        Assert.Equal(sink.Count, capture.Statistics.Delivered);
        Assert.Equal(0, capture.Statistics.KernelDropped);
        Assert.Equal(0, pool.Outstanding);
        Assert.Contains("libpcap on eth0 (datalink)", capture.Description);
        Assert.Contains("filter 'tcp dst port 8080'", capture.Description);
    }

    [RootFact]
    public void TellsABatchSinkWhenItHasHandedOverWhatAWakeUpBrought()
    {
        BatchCountingSink? counting = null;
        BatchWindowCheck.DeliversEverySynSoonAfterTheClients(
            pool => new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool, BatchWindowCheck.OneMillisecond),
            sink => counting = new BatchCountingSink(sink));

        // Each wake-up that delivered packets ends with one notice: at least one, never more than the packets.
        Assert.InRange(counting!.Batches, 1, counting.Inner.Count);
    }

    [RootFact]
    public void WithABatchWindowDeliversEveryPacketInBlocksSoonAfterItCame() =>
        BatchWindowCheck.DeliversEverySynSoonAfterTheClients(pool => new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool, BatchWindowCheck.OneMillisecond));

    [RootFact]
    public void WithADatalinkBatchWindowOfItsOwnDeliversEveryPacketSoonAfterItCame() =>
        BatchWindowCheck.DeliversEverySynSoonAfterTheClients(pool => new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool, BatchWindowCheck.TenMillisecondDatalink));

    [Fact]
    public void TheDatalinkBatchWindowOverridesTheBatchWindowForLibpcapOnly()
    {
        var options = new CaptureOptions { BatchWindow = TimeSpan.FromMilliseconds(1), DatalinkBatchWindow = TimeSpan.FromMilliseconds(10) };
        Assert.Equal(TimeSpan.FromMilliseconds(10), options.PcapBatchWindow);
        Assert.Equal(10, options.PcapBatchWindowMilliseconds);
        Assert.Equal(TimeSpan.FromMilliseconds(1), options.BatchWindow);
        Assert.Equal(TimeSpan.FromMilliseconds(1), (options with { DatalinkBatchWindow = null }).PcapBatchWindow);
        Assert.Equal(TimeSpan.Zero, (options with { DatalinkBatchWindow = TimeSpan.Zero }).PcapBatchWindow);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void ADatalinkBatchWindowOutside0To100MillisecondsIsRefused(int milliseconds)
    {
        var options = new CaptureOptions { DatalinkBatchWindow = TimeSpan.FromMilliseconds(milliseconds) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(CaptureOptions.DatalinkBatchWindow), error.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void ABatchWindowOutside0To100MillisecondsIsRefused(int milliseconds)
    {
        var options = new CaptureOptions { BatchWindow = TimeSpan.FromMilliseconds(milliseconds) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(CaptureOptions.BatchWindow), error.ParamName);
    }

    [RootFact]
    public void OnAnyDeliversLinuxCookedFrames()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        PcapCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new PcapCapture("any", CaptureFilters.ForClientPorts([Port]), pool);
            capture.Start(sink);
        }

        using (capture)
        {
            Assert.True(capture.LinkType is LinkType.LinuxSll or LinkType.LinuxSll2, $"{capture.LinkType}");
            var attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 3, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            Assert.True(sink.WaitUntil(p => p.Count(x => x.Tcp is { Synchronize: true, Acknowledgment: false }) >= attempted, TimeSpan.FromSeconds(5)));
        }

        Assert.All(sink.Packets, packet => Assert.Equal(Port, packet.Tcp!.DestinationPort));
    }

    [RootFact]
    public void SeesTheClientPacketsThatDnatForwardsToAContainer()
    {
        using var lab = new LabNetwork();
        Dnat(lab);
        lab.StartHttpServer(Service, Port);
        var pool = new PacketBufferPool();
        var sink = new CollectingSink(pool);
        PcapCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool);
            capture.Start(sink);
        }

        using (capture)
        {
            var attempted = lab.RunClient(Client, OnlineAddress, Port, connections: 5, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            Assert.True(
                sink.WaitUntil(p => p.Count(x => x.Tcp is { Synchronize: true, Acknowledgment: false }) >= attempted, TimeSpan.FromSeconds(5)),
                $"Expected {attempted} SYNs, got {sink.Count} packets.");
        }

        // Inbound only: the same packets leaving toward the container on svc0 are not on eth0 anyway, and the
        // capture sees them once, addressed to the online host as the clients sent them.
        Assert.All(sink.Packets, packet => Assert.Equal(OnlineAddress, ((PacketDotNet.IPv4Packet)packet.Tcp!.ParentPacket).DestinationAddress.ToString()));
    }

    [Fact]
    public void AMissingInterfaceThrowsInterfaceNotFoundNamingIpLink()
    {
        var name = "trcnone" + Random.Shared.Next(100000, 999999);
        var error = Assert.Throws<CaptureException>(() => new PcapCapture(name, "tcp", new PacketBufferPool()));
        Assert.Equal(CaptureErrorKind.InterfaceNotFound, error.Kind);
        Assert.Contains(name, error.Message);
        Assert.Contains("ip link", error.Message);
    }

    [RootFact]
    public void AnInvalidFilterThrowsInvalidFilter()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            var error = Assert.Throws<CaptureException>(() => new PcapCapture(OnlineInterface, "tcp dst port banana", new PacketBufferPool()));
            Assert.Equal(CaptureErrorKind.InvalidFilter, error.Kind);
            Assert.Contains("tcp dst port banana", error.Message);
        }
    }

    [RootFact]
    public void DisposeReturnsWithinTwoSecondsWhileIdle()
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
        PcapCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool);
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
    public void CountsPacketsItHadNoBufferForInsteadOfGrowingThePool()
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var holding = new HoldingSink();
        PcapCapture capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool, CaptureOptions.Default with { MaxOutstandingBuffers = 3 });
            capture.Start(holding);
        }

        using (capture)
        {
            lab.RunClient(Client, OnlineAddress, Port, connections: 3, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10));
            Thread.Sleep(300);
        }

        var statistics = capture.Statistics;
        Assert.Equal(3, statistics.Delivered);
        Assert.True(statistics.BufferPoolEmpty > 0, $"{statistics}");
        Assert.Equal(statistics.Received, statistics.Delivered + statistics.BufferPoolEmpty);
        Assert.Equal(3, pool.Outstanding);
        holding.ReturnAll(pool);
    }

    /// <summary>A consumer that falls behind: keeps every buffer.</summary>
    private sealed class HoldingSink : ICaptureSink
    {
        private readonly List<PacketBuffer> _held = [];

        public void OnPacket(PacketBuffer buffer, LinkType linkType)
        {
            lock (_held)
            {
                _held.Add(buffer);
            }
        }

        public void ReturnAll(PacketBufferPool pool)
        {
            lock (_held)
            {
                _held.ForEach(pool.Return);
            }
        }
    }

    private sealed class BatchCountingSink(CollectingSink inner) : ICaptureBatchSink
    {
        private int _batches;

        public CollectingSink Inner => inner;

        public int Batches => Volatile.Read(ref _batches);

        public void OnPacket(PacketBuffer buffer, LinkType linkType) => inner.OnPacket(buffer, linkType);

        public void OnBatchDelivered() => Interlocked.Increment(ref _batches);
    }
}
