using System.Diagnostics;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Offline;

public sealed class OfflineReplayTests : IDisposable
{
    private const uint Target = 0xC612001E;
    private readonly string _directory = Directory.CreateTempSubdirectory("tcpreplay-offline-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void EveryClientConnectionOfTheCaptureIsPlayedToTheTargetAndTheReplayCompletes()
    {
        var file = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 20_000)
            .Connection(OfflineCapture.OtherClient, 40001, 5_000, 30_000).WriteTo(_directory, "two.pcap");

        var (replay, target) = Run([file]);

        Assert.Equal(ReplayPhase.Completed, replay.Phase);
        Assert.Equal(2, replay.Statistics.ConnectionsOpened);
        Assert.Equal(2, target.Received.Count(p => (p.Flags & TcpFlags.Syn) != 0));
        Assert.Equal(2, target.Received.Count(p => p.Payload == 100));
        Assert.Equal(2, target.Received.Count(p => (p.Flags & TcpFlags.Fin) != 0));
        Assert.All(target.Received, p => Assert.True(new IPv4Network(0xC6130000, 24).Contains(p.Source)));
        var progress = replay.Progress;
        Assert.Equal(2, progress.ConnectionsTotal);
        Assert.Equal(2, progress.ConnectionsStarted);
        Assert.Equal(10, progress.PacketsTotal);
        Assert.Equal(10, progress.PacketsReplayed);
        Assert.Equal(TimeSpan.FromMilliseconds(30.1), progress.CaptureTimeTotal);
        Assert.Equal(100, progress.PercentComplete);
    }

    [Fact]
    public void ATruncatedCaptureIsReplayedUpToTheDamageAndTheOffsetIsReported()
    {
        var capture = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 10_000)
            .Connection(OfflineCapture.Client, 40001, 20_000, 30_000);
        var bytes = capture.ToArray();
        // Cut inside the second connection's request record: its SYN and ACK are readable, the rest is not.
        var damagedRecord = capture.RecordOffsets[11];
        var file = Path.Combine(_directory, "cut.pcap");
        File.WriteAllBytes(file, bytes[..(int)(damagedRecord + 20)]);

        var (replay, target) = Run([file]);

        var problem = Assert.Single(replay.FileProblems);
        Assert.Equal(CaptureFileErrorKind.Truncated, problem.Damage!.Kind);
        Assert.Equal(damagedRecord, problem.Damage.Offset);
        Assert.Equal(11, problem.RecordsRead);
        var first = target.Received.Where(p => p.SourcePort == 40000).ToList();
        Assert.Contains(first, p => p.Payload == 100);
        Assert.Contains(first, p => (p.Flags & TcpFlags.Fin) != 0);
        Assert.Contains(target.Received, p => p.SourcePort == 40001 && (p.Flags & TcpFlags.Syn) != 0);
        Assert.Equal(ReplayPhase.Completed, replay.Phase);
    }

    [Fact]
    public void AnUnreadableFileIsReportedAndTheOtherFilesArePlayed()
    {
        var good = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 10_000).WriteTo(_directory, "good.pcap");
        var missing = Path.Combine(_directory, "missing.pcap");

        var (replay, target) = Run([missing, good]);

        var problem = Assert.Single(replay.FileProblems);
        Assert.Equal(missing, problem.File);
        Assert.NotNull(problem.Unreadable);
        Assert.Contains(target.Received, p => p.Payload == 100);
    }

    [Fact]
    public void EachPlayOfALoopUsesFreshClientPorts()
    {
        var file = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 5_000).WriteTo(_directory, "one.pcap");

        var (replay, target) = Run([file], loop: 3);

        var synPorts = target.Received.Where(p => (p.Flags & TcpFlags.Syn) != 0).Select(p => p.SourcePort).ToList();
        Assert.Equal([40000, LoopPorts.Fresh(40000, 1), LoopPorts.Fresh(40000, 2)], synPorts);
        Assert.Equal(3, target.Received.Count(p => p.Payload == 100));
        Assert.Equal(3, replay.Progress.ConnectionsTotal);
        Assert.All(replay.Engine.GetConnections(), c => Assert.Equal(CloseReason.Completed, c.CloseReason));
    }

    [Fact]
    public void FilesArePlayedOneAfterTheOtherOnOneTimeline()
    {
        var first = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 40_000).WriteTo(_directory, "a.pcap");
        var second = new OfflineCapture().Connection(OfflineCapture.Client, 40001, 0, 40_000).WriteTo(_directory, "b.pcap");
        var started = Stopwatch.GetTimestamp();

        var (replay, target) = Run([first, second]);

        var synTimes = target.Received.Where(p => (p.Flags & TcpFlags.Syn) != 0).Select(p => p.At).ToList();
        Assert.Equal(2, synTimes.Count);
        // b.pcap's first packet comes after a.pcap's span (40.1 ms) on the timeline, never earlier.
        Assert.True(Stopwatch.GetElapsedTime(started, synTimes[1]) >= TimeSpan.FromMilliseconds(40.1), $"{Stopwatch.GetElapsedTime(started, synTimes[1])}");
        Assert.Equal(TimeSpan.FromMilliseconds(80.2), replay.Progress.CaptureTimeTotal);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(80));
    }

    [Fact]
    public void AtMaxSpeedLongKeepAliveConnectionsArePlayedWholeAndClosed()
    {
        var file = new OfflineCapture().KeepAlive(OfflineCapture.Client, 40000, 0, 500)
            .KeepAlive(OfflineCapture.OtherClient, 40001, 100, 500).WriteTo(_directory, "keepalive.pcap");

        var (replay, target) = Run([file], speed: ReplaySpeed.Max);

        Assert.Equal(ReplayPhase.Completed, replay.Phase);
        Assert.Equal(1000, target.Received.Count(p => p.Payload == 40));
        Assert.Equal(2, target.Received.Count(p => (p.Flags & TcpFlags.Fin) != 0));
        Assert.All(replay.Engine.GetConnections(), c => Assert.Equal(CloseReason.Completed, c.CloseReason));
    }

    [Fact]
    public void ABadFilterStopsTheStartWithLibpcapsReason()
    {
        var file = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 5_000).WriteTo(_directory, "one.pcap");
        var target = new AnsweringTarget();
        using var replay = new OfflineReplay(Options([file], 1, ReplaySpeed.Max, "port eighty"), target, target, null, null);

        var error = Assert.Throws<ArgumentException>(replay.Start);
        Assert.Contains("port eighty", error.Message);
    }

    [Fact]
    public void TheFilterAndWindowLimitWhatReachesTheTarget()
    {
        var file = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 5_000)
            .Connection(OfflineCapture.OtherClient, 40001, 1_000, 5_000)
            .Connection(OfflineCapture.OtherClient, 40002, 900_000, 905_000).WriteTo(_directory, "three.pcap");

        var (replay, target) = Run([file], filter: "src host 198.18.0.11", to: CaptureTimeBound.After(TimeSpan.FromMilliseconds(500)));

        Assert.Equal([40001], target.Received.Where(p => (p.Flags & TcpFlags.Syn) != 0).Select(p => (int)p.SourcePort));
        Assert.Equal(1, replay.Progress.ConnectionsTotal);
    }

    private (OfflineReplay Replay, AnsweringTarget Target) Run(string[] files, int loop = 1, string? filter = null, CaptureTimeBound? to = null, ReplaySpeed? speed = null)
    {
        var target = new AnsweringTarget();
        var replay = new OfflineReplay(Options(files, loop, speed ?? ReplaySpeed.Normal, filter, to), target, target, null, null);
        target.Replay = replay;
        replay.Start();
        Assert.True(replay.Wait(TimeSpan.FromSeconds(20)), $"the replay did not end: {replay.Phase}");
        replay.Dispose();
        return (replay, target);
    }

    private static OfflineReplayOptions Options(string[] files, int loop, ReplaySpeed speed, string? filter = null, CaptureTimeBound? to = null)
    {
        IPv4Network.TryParse("198.19.0.0/24", out var fake);
        return new OfflineReplayOptions
        {
            Files = files,
            Copy = new CopyEngineOptions
            {
                Transfers = [new Transfer(0, OfflineCapture.Port, Target, 8080)],
                FakeClientNetworks = [fake],
                Pacing = PacingMode.Timeline,
                DrainTimeout = TimeSpan.FromMilliseconds(200),
            },
            InterceptServers = [],
            Speed = speed,
            Loop = loop,
            Filter = filter,
            To = to,
        };
    }
}
