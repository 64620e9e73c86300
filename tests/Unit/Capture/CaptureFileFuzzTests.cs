using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>
/// Seeded random damage to valid files: whatever the bytes, TryReadNext returns records that lie
/// inside the input, or stops with an error, and never throws.
/// </summary>
public class CaptureFileFuzzTests
{
    private const int Iterations = 4000;

    public static TheoryData<string> Seeds => ["pcap", "pcapng", "http-usec.pcap", "http.pcapng"];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomMutationsAndTruncationsNeverThrowFromTryReadNext(string seedFile)
    {
        byte[] original = seedFile switch
        {
            "pcap" => new PcapBuilder(bigEndian: true).Record(1, 2, CaptureReading.Bytes(40, 1)).Record(3, 4, CaptureReading.Bytes(7, 2)).ToArray(),
            "pcapng" => new PcapNgBuilder()
                .Section()
                .Interface(LinkType.Ethernet, snapLength: 100, tsresol: 0x8A, tsoffset: 5, name: "x")
                .Enhanced(0, 1, CaptureReading.Bytes(40, 1))
                .Block(PcapNgBuilder.NrbType, CaptureReading.Bytes(12, 0))
                .Simple(30, CaptureReading.Bytes(30, 2))
                .Section(bigEndian: true)
                .Interface(LinkType.Raw, tsresol: 9)
                .ObsoletePacket(0, 9, CaptureReading.Bytes(9, 3))
                .Enhanced(0, 10, CaptureReading.Bytes(3, 4))
                .ToArray(),
            _ => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", seedFile)),
        };

        // Seeded per file so a failure names a reproducible case.
        var random = new Random(seedFile.Length * 7919);
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            byte[] mutated = Mutate(original, random);
            bool seekable = random.Next(4) != 0;
            int chunk = random.Next(1, 64);
            Exception? thrown = Record.Exception(() => ReadAndCheck(mutated, seekable, chunk));
            Assert.True(thrown is null, $"{seedFile} iteration {iteration} (seekable {seekable}, chunk {chunk}): {thrown}");
        }
    }

    private static void ReadAndCheck(byte[] bytes, bool seekable, int chunk)
    {
        Stream stream = seekable ? new MemoryStream(bytes) : new NonSeekableStream(bytes, chunk);
        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        long previousEnd = 0;
        int records = 0;
        while (reader.TryReadNext(out CaptureRecord record))
        {
            // Each record consumes at least a 12-byte header, so there can be no more records than that allows.
            Assert.True(++records <= bytes.Length / 12, "more records than the input can hold");
            Assert.True(record.FileOffset >= previousEnd, "records overlap or go backwards");
            Assert.True(record.FileOffset + record.Data.Length <= bytes.Length, "record beyond the input");
            Assert.InRange(record.Data.Length, 0, CaptureFileReader.MaxCapturedLength);
            Assert.True(record.OriginalLength >= 0);
            record.Data.Fill(0xAA); // callers may rewrite in place
            previousEnd = record.FileOffset + record.Data.Length;
        }

        if (reader.Error is { } error)
        {
            Assert.InRange(error.Offset, 0, bytes.Length);
            Assert.False(string.IsNullOrEmpty(error.Message));
        }

        Assert.Equal(records, reader.RecordsRead);
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int mutations = random.Next(1, 6);
        for (int m = 0; m < mutations && bytes.Count > 0; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    // Lengths and counts live in aligned 32-bit words: make one extreme.
                    int word = at & ~3;
                    byte fill = random.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => 0x7F };
                    for (int i = word; i < Math.Min(word + 4, bytes.Count); i++)
                    {
                        bytes[i] = fill;
                    }

                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    int length = Math.Min(random.Next(1, 64), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 16), bytes.Count - at));
                    break;
            }
        }

        return [.. bytes];
    }
}
