using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;
using LinkType = TcpReplay.Engine.Packets.LinkType;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>
/// The capture loops allocate nothing per packet: a sink that records the capture thread's allocated-bytes counter
/// at each packet sees it unchanged between consecutive packets (only the once-a-second statistics read allocates).
/// </summary>
[Collection(LabCollection.Name)]
public class CaptureAllocationTests
{
    [RootTheory]
    [InlineData("raw")]
    [InlineData("pcap")]
    [InlineData("auto")]
    public void TheCaptureThreadAllocatesNothingBetweenPackets(string kind)
    {
        using var lab = new LabNetwork();
        Direct(lab);
        lab.StartHttpServer(Online, Port);
        var pool = new PacketBufferPool();
        var sink = new AllocationRecordingSink(pool, capacity: 4096);
        ICaptureSource capture;
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        {
            capture = kind switch
            {
                "raw" => new RawSocketCapture([Port], pool),
                "pcap" => new PcapCapture(OnlineInterface, CaptureFilters.ForClientPorts([Port]), pool),

                // Probing for good: the datalink delivers and both layers count ports.
                _ => new AutoCapture(OnlineInterface, [Port], pool, options: CaptureOptions.Default with { ProbePackets = int.MaxValue, ProbeTime = TimeSpan.FromHours(1) }),
            };

            // Warm the pool and the code paths, so first-use costs are not counted.
            capture.Start(sink);
        }

        using (capture)
        {
            lab.RunClient(Client, OnlineAddress, Port, connections: 10, TimeSpan.Zero, TimeSpan.FromSeconds(10));
            sink.Reset();
            lab.RunClient(Client, OnlineAddress, Port, connections: 30, TimeSpan.Zero, TimeSpan.FromSeconds(10));
            Thread.Sleep(200);
        }

        var deltas = sink.Deltas();
        Assert.True(deltas.Length >= 100, $"Only {deltas.Length + 1} packets recorded.");
        var allocating = deltas.Count(d => d > 0);

        // A stray statistics read (once a second) or thread-pool timer may land between two packets; a per-packet
        // allocation would show between nearly all of them.
        Assert.True(allocating <= 3, $"{allocating} of {deltas.Length} packet gaps allocated: {string.Join(", ", deltas.Where(d => d > 0).Take(10))} bytes.");
    }

    private sealed class AllocationRecordingSink(PacketBufferPool pool, int capacity) : ICaptureSink
    {
        private readonly long[] _allocated = new long[capacity];
        private int _count;

        public void Reset() => Volatile.Write(ref _count, 0);

        public void OnPacket(PacketBuffer buffer, LinkType linkType)
        {
            var index = _count;
            if (index < _allocated.Length)
            {
                _allocated[index] = GC.GetAllocatedBytesForCurrentThread();
                Volatile.Write(ref _count, index + 1);
            }

            pool.Return(buffer);
        }

        public long[] Deltas()
        {
            var count = Volatile.Read(ref _count);
            var deltas = new long[Math.Max(0, count - 1)];
            for (var i = 1; i < count; i++)
            {
                deltas[i - 1] = _allocated[i] - _allocated[i - 1];
            }

            return deltas;
        }
    }
}
