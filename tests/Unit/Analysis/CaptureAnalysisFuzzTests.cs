using TcpReplay.Engine.Analysis;
using TcpReplay.Engine.Capture.Files;

namespace TcpReplay.Engine.Tests.Analysis;

/// <summary>
/// The whole Get-PcapConnection path (reader, then analyzer) on damaged files: whatever the bytes, nothing escapes
/// as an exception, and a damaged file yields what was readable plus an error with an offset inside the file.
/// </summary>
public class CaptureAnalysisFuzzTests
{
    public static TheoryData<string> Seeds => new()
    {
        "http-usec.pcap",
        "http-nsec.pcap",
        "http.pcapng",
        "Packets/http-any-sll2.pcap",
        "Packets/http-lo-snaplen80.pcap",
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedAndTruncatedCapturesNeverThrowAndReportAnOffsetInsideTheFile(string seed)
    {
        var original = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", seed));
        var random = new Random(seed.GetHashCode(StringComparison.Ordinal) & 0x7fffffff);
        for (var round = 0; round < 1500; round++)
        {
            var bytes = Mutate(original, random);
            using var reader = CaptureFileReader.Open(new MemoryStream(bytes));
            var analyzer = new CaptureConnectionAnalyzer();
            while (reader.TryReadNext(out var record))
            {
                analyzer.Add(record.LinkType, record.Data, record.OriginalLength, record.TimestampNanoseconds);
            }

            var connections = analyzer.GetConnections();
            Assert.True(analyzer.TcpPackets >= connections.Count);
            if (reader.Error is { } error)
            {
                Assert.InRange(error.Offset, 0, bytes.Length);
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }
        }
    }

    [Fact]
    public void TruncatedCaptureStillYieldsTheConnectionsBeforeTheCut()
    {
        var original = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "http-usec.pcap"));
        var cut = original.AsSpan(0, original.Length * 2 / 3).ToArray();

        using var reader = CaptureFileReader.Open(new MemoryStream(cut));
        var analyzer = new CaptureConnectionAnalyzer();
        while (reader.TryReadNext(out var record))
        {
            analyzer.Add(record.LinkType, record.Data, record.OriginalLength, record.TimestampNanoseconds);
        }

        Assert.Equal(CaptureFileErrorKind.Truncated, reader.Error?.Kind);
        Assert.InRange(reader.Error!.Offset, 24, cut.Length - 1);
        Assert.NotEmpty(analyzer.GetConnections());
        Assert.True(analyzer.TcpPackets > 0);
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(3))
        {
            case 0:
                Array.Resize(ref bytes, random.Next(bytes.Length));
                break;
            case 1:
                for (var i = random.Next(1, 16); i > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                break;
            default:
                for (var i = random.Next(1, 8); i > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                Array.Resize(ref bytes, random.Next(bytes.Length / 2, bytes.Length));
                break;
        }

        return bytes;
    }
}
