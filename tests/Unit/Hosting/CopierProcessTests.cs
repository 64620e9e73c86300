using System.Diagnostics;
using System.Net;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Hosting;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Runs;
using TcpReplay.Engine.Tests.Lab;

namespace TcpReplay.Engine.Tests.Hosting;

/// <summary>
/// The copy in a process of its own, for real: the host built beside these tests runs in a lab namespace, captures a
/// client's connections to a local server and is mirrored, stopped and killed from here. Nothing leaves the lab: the
/// target and the intercept (198.18.0.30, .40) are on-link addresses nobody owns, so only unanswered ARP goes out.
/// </summary>
[Collection(LabCollection.Name)]
public class CopierProcessTests
{
    [RootFact]
    public void MirrorsTheCopysFiguresAndRecordsAndStopsWithinTwoSeconds()
    {
        using var lab = Build();
        using var copier = StartIn(lab, CaptureMode.RawSocket, "o0");
        Assert.NotEqual(Environment.ProcessId, copier.EngineProcessId);
        Assert.Equal(CaptureLayer.IpLayer, copier.CaptureLayer);

        Assert.Equal(3, lab.RunClient("client", "198.18.0.20", 8080, connections: 3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10)));
        // The mirror refreshes by itself (four times a second): no call here asks the host for figures.
        var clock = Stopwatch.StartNew();
        while (copier.Statistics.ConnectionsOpened < 3 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(50);
        }

        Assert.Equal(3, copier.Statistics.ConnectionsOpened);
        Assert.True(copier.Statistics.ClientPacketsSeen >= 9, $"{copier.Statistics.ClientPacketsSeen} client packets mirrored");
        var live = copier.GetConnections();
        Assert.Equal(3, live.Count);
        Assert.All(live, c => Assert.Equal(IPAddress.Parse("198.18.0.10"), c.ClientAddress));
        Assert.Contains(copier.Events, e => e.Kind == RunEventKind.Intercept && e.Message.Contains("Intercept 198.18.0.40:36524 link", StringComparison.Ordinal));

        var engine = Process.GetProcessById(copier.EngineProcessId!.Value);
        var stop = Stopwatch.StartNew();
        copier.Stop();
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(2), $"Stop took {stop.Elapsed}");
        Assert.True(engine.WaitForExit(1000), "the copier process is still running after the stop");
        Assert.Null(copier.EndReason);
        var final = copier.GetConnections();
        Assert.Equal(3, final.Count);
        Assert.All(final, c => Assert.NotEqual(CloseReason.None, c.CloseReason));
        Assert.Equal(final.Count, Enum.GetValues<CloseReason>().Where(r => r != CloseReason.None).Sum(copier.Statistics.Closed));
    }

    [RootFact]
    public void AKilledCopierProcessEndsTheMirrorWithTheReasonAndKeepsItsFigures()
    {
        using var lab = Build();
        using var copier = StartIn(lab, CaptureMode.RawSocket, "o0");
        string? ended = null;
        copier.Ended += end => ended = end.Reason;
        Assert.Equal(2, lab.RunClient("client", "198.18.0.20", 8080, connections: 2, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        while (copier.Statistics.ConnectionsOpened < 2 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(50);
        }

        using (var engine = Process.GetProcessById(copier.EngineProcessId!.Value))
        {
            engine.Kill();
        }

        clock.Restart();
        while (ended is null && clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            Thread.Sleep(50);
        }

        Assert.NotNull(ended);
        Assert.Matches(@"copier process \d+ ended unexpectedly .*exit code 137, signal 9", ended);
        Assert.Equal(ended, copier.EndReason);
        Assert.Equal(2, copier.Statistics.ConnectionsOpened);
        var stop = Stopwatch.StartNew();
        copier.Stop();
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(1), $"Stop after the end took {stop.Elapsed}");
        Assert.Empty(copier.GetConnections());
    }

    [RootFact]
    public void ACaptureThatCannotOpenInTheHostIsTheSameCaptureErrorHere()
    {
        using var lab = Build();
        var error = Assert.Throws<CaptureException>(() => StartIn(lab, CaptureMode.Pcap, "nosuch0"));
        Assert.Equal(CaptureErrorKind.InterfaceNotFound, error.Kind);
        Assert.Contains("nosuch0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingHostIsAnErrorThatSaysHowToFixIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CopierProcess.Start(Options(CaptureMode.RawSocket, "lo"), "/nonexistent/TcpReplay.CopierHost.dll"));
        Assert.Contains("make module", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModuleWithoutAHostSaysWhyItCannotStartACopierProcess()
    {
        Assert.Contains("make module", CopierProcess.WhyUnavailable("/nonexistent/TcpReplay.CopierHost"), StringComparison.Ordinal);
        Assert.Null(CopierProcess.WhyUnavailable(HostPath));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AHostOfAnotherProtocolVersionIsRefusedNamingBothVersions()
    {
        // A hello frame as a host of protocol 7, build "old-build", writes it: length, type 12, version, string.
        using var host = new FakeHost(@"printf '\017\000\000\000\014\007\000\000\000\011old-build'; exec sleep 30");
        var error = Assert.Throws<CopierHostMismatchException>(() => CopierProcess.Start(Options(CaptureMode.RawSocket, "lo"), host.Path));
        Assert.Equal(7, error.HostVersion);
        Assert.Equal("old-build", error.HostBuild);
        Assert.Contains("host protocol 7 (build old-build)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"host protocol {HostProtocol.Version} (build {HostProtocol.BuildIdentity})", error.Message, StringComparison.Ordinal);
        Assert.True(host.HasEnded(TimeSpan.FromSeconds(2)), "the refused host still runs");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AHostThatEndsWithoutAHelloIsAnErrorThatSaysWhy()
    {
        using var host = new FakeHost("echo 'The first frame must be Start, not 12.' >&2; exit 1");
        var error = Assert.Throws<InvalidOperationException>(() => CopierProcess.Start(Options(CaptureMode.RawSocket, "lo"), host.Path));
        Assert.Contains("did not say which protocol it speaks", error.Message, StringComparison.Ordinal);
        Assert.Contains("The first frame must be Start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AStartGivenUpEndsAtOnceAndKillsTheHost()
    {
        using var host = new FakeHost("exec sleep 30");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => CopierProcess.Start(Options(CaptureMode.RawSocket, "lo"), host.Path, cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the start took {clock.Elapsed} (given up after 0.5 s)");
        Assert.True(host.HasEnded(TimeSpan.FromSeconds(1)), "the host still runs after the start was given up");
    }

    [RootFact]
    public void AStalledHostLeavesEveryFigureReadableAtOnceAndItsStopBounded()
    {
        using var lab = Build();
        using var copier = StartIn(lab, CaptureMode.RawSocket, "o0");
        var engine = Process.GetProcessById(copier.EngineProcessId!.Value);
        Assert.Equal(0, Signal("STOP", engine.Id));
        try
        {
            Thread.Sleep(600);
            var clock = Stopwatch.StartNew();
            foreach (var property in typeof(CopierProcess).GetProperties())
            {
                _ = property.GetValue(copier);
            }

            _ = copier.Statistics.FailureReasons;
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(100), $"reading every property of a stalled host's mirror took {clock.Elapsed}");

            clock.Restart();
            copier.Stop();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"stopping a stalled host took {clock.Elapsed}");
            Assert.True(engine.WaitForExit(1000), "the stalled host still runs after the stop");
        }
        finally
        {
            Signal("CONT", engine.Id);
        }
    }

    private static int Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode;
    }

    /// <summary>A copier host played by a shell script, for what a real host never does; it writes its PID first.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private sealed class FakeHost : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("tcpreplay-fakehost-").FullName;

        public FakeHost(string body)
        {
            Path = System.IO.Path.Combine(_folder, "host");
            File.WriteAllText(Path, $"#!/bin/sh\necho $$ > '{_folder}/pid'\n{body}\n");
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public string Path { get; }

        public bool HasEnded(TimeSpan within)
        {
            var pidFile = System.IO.Path.Combine(_folder, "pid");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < within)
            {
                if (File.Exists(pidFile) && !Directory.Exists($"/proc/{File.ReadAllText(pidFile).Trim()}"))
                {
                    return true;
                }

                Thread.Sleep(20);
            }

            return false;
        }

        public void Dispose()
        {
            var pidFile = System.IO.Path.Combine(_folder, "pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && Directory.Exists($"/proc/{pid}"))
            {
                using var left = Process.GetProcessById(pid);
                left.Kill();
            }

            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>The host built with the solution: src/TcpReplay.CopierHost/bin/(this configuration)/net10.0.</summary>
    private static string HostPath
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var configuration = framework.Parent!.Name;
            var root = framework.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "TcpReplay.CopierHost", "bin", configuration, framework.Name, CopierProcess.HostFileName);
        }
    }

    private static CopierProcess StartIn(LabNetwork lab, CaptureMode mode, string interfaceName)
    {
        // The child process is forked by this thread, so it runs in the namespace this thread is in.
        using (NetworkNamespaceScope.Enter(lab.Name("online")))
        {
            return CopierProcess.Start(Options(mode, interfaceName), HostPath);
        }
    }

    private static LiveCopyOptions Options(CaptureMode mode, string interfaceName) => new()
    {
        Copy = new CopyEngineOptions
        {
            Transfers = [new Transfer(0, 8080, Addresses.FromIPAddress(IPAddress.Parse("198.18.0.30")), 8080)],
            FakeClientNetworks = [IPv4Network.Parse("198.19.0.0/24")],
            Pacing = PacingMode.Timeline,
        },
        InterceptServers = [new IPEndPoint(IPAddress.Parse("198.18.0.40"), 36524)],
        CaptureMode = mode,
        Interface = interfaceName,
    };

    private static LabNetwork Build()
    {
        var lab = new LabNetwork();
        try
        {
            lab.AddNamespace("client");
            lab.AddNamespace("online");
            lab.AddVeth("client", "c0", "198.18.0.10/24", "02:00:00:00:00:c1", "online", "o0", "198.18.0.20/24", "02:00:00:00:00:c2");
            lab.StartHttpServer("online", 8080);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }
}
