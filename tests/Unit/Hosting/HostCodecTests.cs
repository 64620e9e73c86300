using System.Net;
using System.Reflection;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Hosting;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Runs;

namespace TcpReplay.Engine.Tests.Hosting;

/// <summary>
/// What crosses the pipe to a copier process must come back whole: every counter, every record field, every option.
/// The checks enumerate the types by reflection, so a field added later without its codec line fails here.
/// </summary>
public class HostCodecTests
{
    [Fact]
    public void EveryStatisticsCounterIsVisitedOnce()
    {
        var statistics = new CopyStatistics();
        var fields = typeof(CopyStatistics).GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
            .Where(f => f.FieldType == typeof(long) && f.Name.EndsWith("Field", StringComparison.Ordinal)).ToList();
        var visited = 0;
        statistics.VisitCounters((ref long counter) => counter = ++visited);

        var expected = fields.Count + Enum.GetValues<CloseReason>().Length + Enum.GetValues<HandshakeFailure>().Length;
        Assert.Equal(expected, visited);
        Assert.Equal(fields.Count, fields.Select(f => (long)f.GetValue(statistics)!).Distinct().Count());
        Assert.DoesNotContain(0L, fields.Select(f => (long)f.GetValue(statistics)!));
    }

    [Fact]
    public void StatisticsComeBackWithEveryFigure()
    {
        var source = new CopyStatistics();
        var next = 0L;
        source.VisitCounters((ref long counter) => counter = (next += 7));
        source.CountSendError(90);
        source.CountSendError(90);
        source.CountSendError(1);
        foreach (var ms in new[] { 1, 3, 40, 900, 12_000 })
        {
            source.OnlineResponseTimes.Record(TimeSpan.FromMilliseconds(ms));
            source.TargetResponseTimes.Record(TimeSpan.FromMilliseconds(ms * 2));
        }

        var start = new DateTime(2026, 12, 7, 8, 0, 0, DateTimeKind.Utc);
        foreach (var (port, reason, cause, detail) in new[]
                 {
                     (1, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST from a bystander"),
                     (2, CloseReason.Timeout, HandshakeFailure.None, (string?)null),
                     (3, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST again"),
                 })
        {
            source.CountFailure(new CopiedConnection(port, 0xC612000A, (ushort)port, 0xC6120014, 8080, 0xC6130001, (ushort)port, new Transfer(0, 8080, 0xC612001E, 8080), start)
            {
                CloseReason = reason,
                HandshakeFailure = cause,
                CloseDetail = detail,
                EndTime = start,
            });
        }

        var mirror = new CopyStatistics();
        mirror.CountSendError(5);
        mirror.TargetResponseTimes.Record(TimeSpan.FromSeconds(99));
        RoundTrip(w => CopyStatisticsCodec.Write(w, source), r => CopyStatisticsCodec.ReadInto(r, mirror));

        AssertSameProperties(source, mirror, nameof(CopyStatistics.OnlineResponseTimes), nameof(CopyStatistics.TargetResponseTimes), nameof(CopyStatistics.SendErrorsByErrno),
            nameof(CopyStatistics.FailureReasons));
        Assert.Equal(2, source.FailureReasons.Count);
        Assert.Equal(source.FailureReasons, mirror.FailureReasons);
        foreach (var reason in Enum.GetValues<CloseReason>())
        {
            Assert.Equal(source.Closed(reason), mirror.Closed(reason));
        }

        foreach (var cause in Enum.GetValues<HandshakeFailure>())
        {
            Assert.Equal(source.HandshakeFailures(cause), mirror.HandshakeFailures(cause));
        }

        Assert.Equal(source.SendErrorsByErrno.OrderBy(e => e.Key), mirror.SendErrorsByErrno.OrderBy(e => e.Key));
        foreach (var (a, b) in new[] { (source.OnlineResponseTimes, mirror.OnlineResponseTimes), (source.TargetResponseTimes, mirror.TargetResponseTimes) })
        {
            Assert.Equal(a.Count, b.Count);
            Assert.Equal(a.Max, b.Max);
            Assert.Equal(a.Mean, b.Mean);
            Assert.Equal(a.Percentile(50), b.Percentile(50));
            Assert.Equal(a.Percentile(99), b.Percentile(99));
        }
    }

    [Fact]
    public void AConnectionRecordComesBackWithEveryField()
    {
        var transfer = new Transfer(Address("198.18.0.20"), 8080, Address("198.18.0.30"), 8081);
        var source = new CopiedConnection(42, Address("198.18.0.10"), 40001, Address("198.18.0.20"), 8080, Address("198.19.0.7"), 40001, transfer,
            new DateTime(2026, 12, 7, 3, 4, 5, DateTimeKind.Utc));
        var salt = 1;
        foreach (var property in Settable(typeof(CopiedConnection)))
        {
            property.SetValue(source, Distinct(property.PropertyType, salt++));
        }

        CopiedConnection? copy = null;
        RoundTrip(w => CopiedConnectionCodec.Write(w, source), r => copy = CopiedConnectionCodec.Read(r));

        AssertSameProperties(source, copy!, nameof(CopiedConnection.Duration));
        Assert.Equal(source.Duration, copy!.Duration);
    }

    [Fact]
    public void AnExchangeComesBackWithEveryField()
    {
        var source = new RequestExchange(7, 3, TimeSpan.FromMilliseconds(1.5), null, 120, 118, 200, null);
        RequestExchange? copy = null;
        RoundTrip(w => RequestExchangeCodec.Write(w, source), r => copy = RequestExchangeCodec.Read(r));
        AssertSameProperties(source, copy!);
    }

    [Fact]
    public void TheOptionsComeBackWithEverySetting()
    {
        var options = new LiveCopyOptions
        {
            Copy = new CopyEngineOptions
            {
                Transfers = [new Transfer(Address("198.18.0.20"), 8080, Address("198.18.0.30"), 9090), new Transfer(0, 443, Address("198.18.0.31"), 443)],
                FakeClientNetworks = [IPv4Network.Parse("198.19.0.0/24"), IPv4Network.Parse("198.19.5.9/32")],
                Pacing = PacingMode.Timeline,
                HandshakeTimeout = TimeSpan.FromSeconds(4),
                IdleTimeout = TimeSpan.FromSeconds(50),
                MaxConnectionAge = TimeSpan.FromMinutes(7),
                ResponseWaitTimeout = TimeSpan.FromSeconds(2),
                DrainTimeout = TimeSpan.FromSeconds(6),
                GapTolerance = TimeSpan.FromMilliseconds(70),
                MaxConnections = 1234,
                Mtu = 9000,
                DefaultMss = 1400,
                BystanderAddresses = new HashSet<uint> { Address("198.19.0.9") },
                RetainedRecords = 555,
                ExchangeLogSize = 66,
                ThreadNice = -5,
            },
            InterceptServers = [new IPEndPoint(IPAddress.Parse("198.18.0.40"), 36524), new IPEndPoint(IPAddress.Parse("198.18.0.41"), 4000)],
            CaptureMode = CaptureMode.Pcap,
            Interface = "eth7",
            SendMode = SendMode.Pcap,
            CompareResponses = true,
            CaptureBufferBytes = 16 * 1024 * 1024,
            Channel = new InterceptClientOptions
            {
                LinksPerServer = 3,
                MinBackoff = TimeSpan.FromMilliseconds(150),
                MaxBackoff = TimeSpan.FromSeconds(9),
                Combined = false,
                WithPayload = true,
                ResponsePayloadBytes = 256,
                ConnectTimeout = TimeSpan.FromSeconds(4),
                SendBufferBytes = 1000,
            },
        };
        // Every setting differs from its default here, so a setting the codec drops shows up below.
        AssertAllDiffer(options.Copy, new CopyEngineOptions { Transfers = [], FakeClientNetworks = [] }, nameof(CopyEngineOptions.Transfers), nameof(CopyEngineOptions.FakeClientNetworks));
        AssertAllDiffer(options.Channel, new InterceptClientOptions());
        AssertAllDiffer(options, new LiveCopyOptions { Copy = options.Copy, InterceptServers = [] }, nameof(LiveCopyOptions.Copy), nameof(LiveCopyOptions.InterceptServers));

        LiveCopyOptions? copy = null;
        RoundTrip(w => LiveCopyOptionsCodec.Write(w, options), r => copy = LiveCopyOptionsCodec.Read(r));

        AssertSameProperties(options, copy!, nameof(LiveCopyOptions.Copy), nameof(LiveCopyOptions.Channel), nameof(LiveCopyOptions.InterceptServers));
        AssertSameProperties(options.Copy, copy!.Copy, nameof(CopyEngineOptions.Transfers), nameof(CopyEngineOptions.FakeClientNetworks), nameof(CopyEngineOptions.BystanderAddresses));
        AssertSameProperties(options.Channel, copy.Channel);
        Assert.Equal(options.Copy.Transfers, copy.Copy.Transfers);
        Assert.Equal(options.Copy.FakeClientNetworks.Select(n => n.ToString()), copy.Copy.FakeClientNetworks.Select(n => n.ToString()));
        Assert.Equal(options.Copy.BystanderAddresses, copy.Copy.BystanderAddresses);
        Assert.Equal(options.InterceptServers, copy.InterceptServers);

        // Not given, the buffer stays "not given" in the host, which then picks each capture layer's own default.
        LiveCopyOptions? defaults = null;
        RoundTrip(w => LiveCopyOptionsCodec.Write(w, new LiveCopyOptions { Copy = options.Copy, InterceptServers = options.InterceptServers }), r => defaults = LiveCopyOptionsCodec.Read(r));
        Assert.Null(defaults!.CaptureBufferBytes);
    }

    [Fact]
    public void TheReplayOptionsComeBackWithEverySetting()
    {
        var options = new OfflineReplayOptions
        {
            Files = ["/data/one.pcap", "/data/two.pcapng"],
            Copy = new CopyEngineOptions
            {
                Transfers = [new Transfer(0, 8080, Address("198.18.0.30"), 9090)],
                FakeClientNetworks = [IPv4Network.Parse("198.19.0.0/24")],
                Pacing = PacingMode.WaitResponse,
                DrainTimeout = TimeSpan.FromSeconds(6),
            },
            InterceptServers = [new IPEndPoint(IPAddress.Parse("198.18.0.40"), 36524)],
            Speed = ReplaySpeed.FromFactor(2.5),
            Loop = 3,
            Filter = "src host 198.18.0.11",
            From = CaptureTimeBound.After(TimeSpan.FromMilliseconds(1500)),
            To = CaptureTimeBound.At(new DateTime(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc).AddTicks(7)),
            Interface = "eth7",
            SendMode = SendMode.Pcap,
            Channel = new InterceptClientOptions { LinksPerServer = 2, ResponsePayloadBytes = 64 },
            InterceptWait = TimeSpan.FromSeconds(8),
            MaxPacketsInFlight = 1000,
            RaisePriority = false,
        };
        AssertAllDiffer(options, new OfflineReplayOptions { Files = [], Copy = options.Copy, InterceptServers = [] },
            nameof(OfflineReplayOptions.Files), nameof(OfflineReplayOptions.Copy), nameof(OfflineReplayOptions.InterceptServers), nameof(OfflineReplayOptions.Channel));

        OfflineReplayOptions? copy = null;
        RoundTrip(w => OfflineReplayOptionsCodec.Write(w, options), r => copy = OfflineReplayOptionsCodec.Read(r));

        AssertSameProperties(options, copy!, nameof(OfflineReplayOptions.Files), nameof(OfflineReplayOptions.Copy), nameof(OfflineReplayOptions.Channel), nameof(OfflineReplayOptions.InterceptServers));
        Assert.Equal(options.Files, copy!.Files);
        Assert.Equal(options.InterceptServers, copy.InterceptServers);
        Assert.Equal(options.Copy.Transfers, copy.Copy.Transfers);
        Assert.Equal((options.Copy.Pacing, options.Copy.DrainTimeout), (copy.Copy.Pacing, copy.Copy.DrainTimeout));
        AssertSameProperties(options.Channel, copy.Channel);

        OfflineReplayOptions? fastest = null;
        RoundTrip(w => OfflineReplayOptionsCodec.Write(w, new OfflineReplayOptions { Files = ["/a"], Copy = options.Copy, InterceptServers = options.InterceptServers, Speed = ReplaySpeed.Max }),
            r => fastest = OfflineReplayOptionsCodec.Read(r));
        Assert.True(fastest!.Speed.IsMax);
        Assert.Null(fastest.From);
        Assert.Null(fastest.Filter);
    }

    [Fact]
    public void AStatusComesBackWithItsLinksAndNewEvents()
    {
        var source = new CopierStatus(CaptureLayer.Datalink, "Auto: the IP layer saw nothing", "libpcap on eth0 (datalink), 16 MiB ring", new CaptureSourceStatistics(10, 9, 1, 2, 3),
            [new InterceptLinkStatus(new IPEndPoint(IPAddress.Parse("198.18.0.40"), 36524), 1, InterceptLinkState.Backoff, 2, 5, "refused", null),
             new InterceptLinkStatus(new IPEndPoint(IPAddress.Parse("198.18.0.40"), 36524), 0, InterceptLinkState.Connected, 1, 0, null, new DateTime(2026, 12, 7, 1, 2, 3, DateTimeKind.Utc))],
            true, 4, 128, null, 17,
            [new RunEvent(new DateTime(2026, 12, 7, 3, 0, 0, DateTimeKind.Utc), RunEventKind.Capture, "one"), new RunEvent(new DateTime(2026, 12, 7, 3, 0, 1, DateTimeKind.Utc), RunEventKind.Intercept, "two")],
            new ReplayProgress(ReplayPhase.Replaying, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9), 40, 12, 10, 4000, 1200, 2, 3,
                TimeSpan.FromTicks(1100), TimeSpan.FromTicks(32000), TimeSpan.FromMilliseconds(21)),
            [new CaptureFileProblem("/data/a.pcap", 77, new CaptureFileError(CaptureFileErrorKind.Truncated, 123456, "cut short"), null),
             new CaptureFileProblem("/data/b.pcap", 0, null, "permission denied")]);
        CopierStatus? copy = null;
        RoundTrip(source.Write, r => copy = CopierStatus.Read(r));

        Assert.Equal(source with { InterceptLinks = [], NewEvents = [], FileProblems = [] }, copy! with { InterceptLinks = [], NewEvents = [], FileProblems = [] });
        Assert.Equal(source.FileProblems, copy!.FileProblems);
        Assert.Equal(source.InterceptLinks, copy!.InterceptLinks);
        Assert.Equal(source.NewEvents, copy.NewEvents);
    }

    [Fact]
    public void ALinkStatusKeepsTheKindOfItsLastFailure()
    {
        var failed = new InterceptLinkStatus(new IPEndPoint(IPAddress.Parse("198.18.0.40"), 36524), 0, InterceptLinkState.Backoff, 1, 1, "protocol error", null)
        {
            LastFailureKind = LinkFailureKind.ProtocolError,
        };
        var source = new CopierStatus(CaptureLayer.Datalink, null, null, null, [failed], true, 0, 0, null, 0, [], null, []);
        CopierStatus? copy = null;
        RoundTrip(source.Write, r => copy = CopierStatus.Read(r));

        Assert.Equal(LinkFailureKind.ProtocolError, Assert.Single(copy!.InterceptLinks).LastFailureKind);
    }

    [Fact]
    public void AFrameCutShortOrOutOfRangeIsInvalidAndACleanEndIsNull()
    {
        var stream = new MemoryStream();
        HostFrames.Write(stream, HostFrameType.Status, w => w.Write(12345L));
        var whole = stream.ToArray();

        var read = HostFrames.Read(new MemoryStream(whole));
        Assert.Equal(HostFrameType.Status, read!.Value.Type);
        Assert.Equal(12345L, read.Value.Payload.ReadInt64());
        Assert.Null(HostFrames.Read(new MemoryStream()));
        for (var cut = 1; cut < whole.Length; cut++)
        {
            Assert.Throws<InvalidDataException>(() => HostFrames.Read(new MemoryStream(whole[..cut])));
        }

        Assert.Throws<InvalidDataException>(() => HostFrames.Read(new MemoryStream([0, 0, 0, 0, 5])));
        Assert.Throws<InvalidDataException>(() => HostFrames.Read(new MemoryStream([0xff, 0xff, 0xff, 0x7f, 5])));
    }

    private static void RoundTrip(Action<BinaryWriter> write, Action<BinaryReader> read)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        read(reader);
        Assert.Equal(stream.Length, stream.Position);
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.SetMethod is not null);

    private static object Distinct(Type type, int salt)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(long) => (long)(salt * 1000 + 3),
            _ when underlying == typeof(int) => salt * 10 + 1,
            _ when underlying == typeof(bool) => true,
            _ when underlying == typeof(string) => $"text {salt}",
            _ when underlying == typeof(TimeSpan) => TimeSpan.FromTicks(salt * 12_345L),
            _ when underlying == typeof(DateTime) => new DateTime(2026, 12, 7, 5, 0, salt % 60, DateTimeKind.Utc),
            _ when underlying.IsEnum => Enum.GetValues(underlying).GetValue(Math.Min(salt % 5 + 1, Enum.GetValues(underlying).Length - 1))!,
            _ => throw new InvalidOperationException($"No distinct test value for {type}: add one so the codec test covers it."),
        };
    }

    private static void AssertSameProperties(object expected, object actual, params string[] except)
    {
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (except.Contains(property.Name) || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            Assert.True(Equals(property.GetValue(expected), property.GetValue(actual)),
                $"{expected.GetType().Name}.{property.Name}: expected {property.GetValue(expected)}, got {property.GetValue(actual)}");
        }
    }

    private static void AssertAllDiffer(object configured, object defaults, params string[] except)
    {
        foreach (var property in Settable(configured.GetType()).Where(p => !except.Contains(p.Name)))
        {
            var a = property.GetValue(configured);
            var b = property.GetValue(defaults);
            var same = a is System.Collections.IEnumerable ea && b is System.Collections.IEnumerable eb && a is not string
                ? ea.Cast<object>().SequenceEqual(eb.Cast<object>())
                : Equals(a, b);
            Assert.False(same, $"The test sets {configured.GetType().Name}.{property.Name} to its default: give it another value.");
        }
    }

    private static uint Address(string text) => Addresses.FromIPAddress(IPAddress.Parse(text));
}
