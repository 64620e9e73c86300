using BenchmarkDotNet.Attributes;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Bench;

/// <summary>
/// Reads a generated in-memory pcap of <see cref="Packets"/> records of mixed sizes end to end.
/// OperationsPerInvoke makes the reported mean and allocation per record; the aim is 0 B per record
/// (the per-file cost of opening is spread over the records).
/// </summary>
[MemoryDiagnoser]
public class PcapReadBenchmarks
{
    private const int Packets = 10_000;

    private byte[] _file = [];

    [GlobalSetup]
    public void Setup()
    {
        // A TCP-like mix: bare ACKs, small requests, MSS-sized segments, the odd jumbo frame.
        int[] sizes = [54, 66, 74, 230, 590, 1514, 1514, 1514, 9014];
        var random = new Random(42);
        var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, LinkType.Ethernet, nanosecondResolution: true, leaveOpen: true))
        {
            byte[] payload = new byte[9014];
            random.NextBytes(payload);
            long timestamp = 1_700_000_000_000_000_000;
            for (int i = 0; i < Packets; i++)
            {
                int size = sizes[random.Next(sizes.Length)];
                timestamp += random.Next(1, 2_000_000);
                writer.Write(payload.AsSpan(0, size), timestamp);
            }
        }

        _file = stream.ToArray();
    }

    [Benchmark(OperationsPerInvoke = Packets)]
    public long ReadAllRecords()
    {
        using CaptureFileReader reader = CaptureFileReader.Open(new MemoryStream(_file, writable: false));
        long checksum = 0;
        while (reader.TryReadNext(out CaptureRecord record))
        {
            checksum += record.Data.Length + record.Data[^1] + record.TimestampNanoseconds;
        }

        return checksum;
    }
}
