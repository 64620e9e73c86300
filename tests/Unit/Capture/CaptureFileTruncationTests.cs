using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>
/// Cuts small files at every byte: the records wholly before the cut come out, and the cut record
/// (or header) is reported as Truncated at its own offset.
/// </summary>
public class CaptureFileTruncationTests
{
    private static readonly (byte[] Bytes, List<(long Start, long End)> Units, List<long> RecordOffsets) SamplePcap = BuildPcap();
    private static readonly (byte[] Bytes, List<(long Start, long End)> Units, List<long> RecordOffsets) SamplePcapNg = BuildPcapNg();

    public static TheoryData<int> PcapCuts => Cuts(SamplePcap.Bytes.Length);

    public static TheoryData<int> PcapNgCuts => Cuts(SamplePcapNg.Bytes.Length);

    [Theory]
    [MemberData(nameof(PcapCuts))]
    public void PcapCutAnywhereYieldsTheRecordsBeforeTheCutAndTruncatedAtTheCutRecord(int cut) =>
        AssertCut(SamplePcap, cut);

    [Theory]
    [MemberData(nameof(PcapNgCuts))]
    public void PcapNgCutAnywhereYieldsTheRecordsBeforeTheCutAndTruncatedAtTheCutBlock(int cut) =>
        AssertCut(SamplePcapNg, cut);

    private static void AssertCut((byte[] Bytes, List<(long Start, long End)> Units, List<long> RecordOffsets) sample, int cut)
    {
        byte[] bytes = sample.Bytes[..cut];
        int expectedRecords = sample.RecordOffsets.Count(offset => sample.Units.Single(u => u.Start == offset).End <= cut);
        (long Start, long End)? cutUnit = sample.Units.Cast<(long Start, long End)?>().SingleOrDefault(u => u!.Value.Start < cut && cut < u.Value.End);

        // Seeking and non-seeking streams take different paths over skipped blocks; both must agree.
        foreach (Stream stream in new Stream[] { new MemoryStream(bytes), new NonSeekableStream(bytes, maxChunk: 5) })
        {
            ReadResult result = CaptureReading.ReadAll(stream);

            Assert.Equal(sample.RecordOffsets.Take(expectedRecords), result.Records.Select(r => r.FileOffset));
            if (cut < 4)
            {
                Assert.Equal(CaptureFileErrorKind.NotACaptureFile, result.Error?.Kind);
                Assert.Equal(0, result.Error?.Offset);
            }
            else if (cutUnit is { } unit)
            {
                Assert.Equal(CaptureFileErrorKind.Truncated, result.Error?.Kind);
                Assert.Equal(unit.Start, result.Error?.Offset);
            }
            else
            {
                Assert.Null(result.Error);
            }
        }
    }

    private static TheoryData<int> Cuts(int length)
    {
        var data = new TheoryData<int>();
        for (int cut = 0; cut <= length; cut++)
        {
            data.Add(cut);
        }

        return data;
    }

    private static (byte[], List<(long, long)>, List<long>) BuildPcap()
    {
        var b = new PcapBuilder(bigEndian: true, nanoseconds: true)
            .Record(1, 1, CaptureReading.Bytes(14, 1))
            .Record(2, 2, [])
            .Record(3, 3, CaptureReading.Bytes(33, 2));
        byte[] bytes = b.ToArray();
        var units = new List<(long, long)> { (0, 24) };
        for (int i = 0; i < b.RecordOffsets.Count; i++)
        {
            units.Add((b.RecordOffsets[i], i + 1 < b.RecordOffsets.Count ? b.RecordOffsets[i + 1] : bytes.Length));
        }

        return (bytes, units, b.RecordOffsets);
    }

    private static (byte[], List<(long, long)>, List<long>) BuildPcapNg()
    {
        var b = new PcapNgBuilder()
            .Section()
            .Interface(LinkType.Ethernet, tsresol: 9, name: "lo")
            .Enhanced(0, 1, CaptureReading.Bytes(14, 1))
            .Block(PcapNgBuilder.NrbType, CaptureReading.Bytes(20, 0))
            .Section(bigEndian: true)
            .Interface(LinkType.Raw)
            .Simple(9, CaptureReading.Bytes(9, 2))
            .ObsoletePacket(0, 2, [1, 2, 3, 4])
            .Enhanced(0, 3, [])
            .Block(PcapNgBuilder.IsbType, CaptureReading.Bytes(16, 0));
        var units = b.Blocks.Select(x => (x.Offset, x.Offset + x.Length)).ToList();
        var records = b.Blocks
            .Where(x => x.Type is PcapNgBuilder.EpbType or PcapNgBuilder.SpbType or PcapNgBuilder.PbType)
            .Select(x => x.Offset)
            .ToList();
        return (b.ToArray(), units, records);
    }
}
