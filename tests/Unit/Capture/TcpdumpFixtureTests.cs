using System.Globalization;
using SharpPcap;
using SharpPcap.LibPcap;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>
/// Files written by tcpdump and tshark (see Fixtures/make-capture-fixtures.sh), checked against what
/// tshark printed for them and against libpcap through SharpPcap.
/// </summary>
public class TcpdumpFixtureTests
{
    public static TheoryData<string, CaptureFileFormat, ulong> Fixtures => new()
    {
        { "http-usec.pcap", CaptureFileFormat.Pcap, 1_000_000 },
        { "http-nsec.pcap", CaptureFileFormat.Pcap, 1_000_000_000 },
        { "http.pcapng", CaptureFileFormat.PcapNg, 1_000_000_000 },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RecordsMatchTsharkTimestampsAndLengths(string name, CaptureFileFormat format, ulong unitsPerSecond)
    {
        List<(long Ns, int FrameLength, int CapturedLength)> expected = ReadTsharkFields(name);

        using CaptureFileReader reader = CaptureFileReader.Open(FixturePath(name));
        var actual = new List<(long, int, int)>();
        while (reader.TryReadNext(out CaptureRecord record))
        {
            Assert.Equal(LinkType.Ethernet, record.LinkType);
            actual.Add((record.TimestampNanoseconds, record.OriginalLength, record.Data.Length));
        }

        Assert.Null(reader.Error);
        Assert.Equal(format, reader.Format);
        Assert.Equal(unitsPerSecond, Assert.Single(reader.Interfaces).TimestampUnitsPerSecond);
        Assert.True(expected.Count > 20, "the fixture should hold a few HTTP exchanges");
        Assert.Equal(expected, actual);
        Assert.Equal(reader.Length, reader.Position);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RecordsMatchLibpcapThroughSharpPcap(string name, CaptureFileFormat format, ulong unitsPerSecond)
    {
        _ = format;
        _ = unitsPerSecond;
        var expected = new List<(long Ns, int Length, byte[] Data)>();
        using (var device = new CaptureFileReaderDevice(FixturePath(name)))
        {
            device.Open(new DeviceConfiguration { TimestampResolution = TimestampResolution.Nanosecond });
            while (device.GetNextPacket(out PacketCapture capture) == GetPacketStatus.PacketRead)
            {
                RawCapture raw = capture.GetPacket();
                expected.Add(((long)(raw.Timeval.Value * 1_000_000_000m), raw.PacketLength, raw.Data));
            }
        }

        using CaptureFileReader reader = CaptureFileReader.Open(FixturePath(name));
        var actual = new List<(long, int, byte[])>();
        while (reader.TryReadNext(out CaptureRecord record))
        {
            actual.Add((record.TimestampNanoseconds, record.OriginalLength, record.Data.ToArray()));
        }

        Assert.Null(reader.Error);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Ns, actual[i].Item1);
            Assert.Equal(expected[i].Length, actual[i].Item2);
            Assert.Equal(expected[i].Data, actual[i].Item3);
        }
    }

    [Fact]
    public void PcapNgFixtureDescribesTheLoopbackInterfaceAndSkipsItsStatisticsBlock()
    {
        using CaptureFileReader reader = CaptureFileReader.Open(FixturePath("http.pcapng"));
        while (reader.TryReadNext(out _))
        {
        }

        Assert.Null(reader.Error);
        CaptureInterface lo = Assert.Single(reader.Interfaces);
        Assert.Equal("lo", lo.Name);
        Assert.Equal(262144, lo.SnapLength);
        Assert.Equal(reader.Length, reader.Position);
    }

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    // tshark -T fields -e frame.time_epoch -e frame.len -e frame.cap_len: "seconds.nanoseconds\tlen\tcaplen".
    private static List<(long Ns, int FrameLength, int CapturedLength)> ReadTsharkFields(string name)
    {
        var rows = new List<(long, int, int)>();
        foreach (string line in File.ReadAllLines(FixturePath(name + ".expected.txt")))
        {
            string[] fields = line.Split('\t');
            string[] time = fields[0].Split('.');
            long ns = (long.Parse(time[0], CultureInfo.InvariantCulture) * 1_000_000_000)
                + long.Parse(time[1].PadRight(9, '0'), CultureInfo.InvariantCulture);
            rows.Add((ns, int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture)));
        }

        return rows;
    }
}
