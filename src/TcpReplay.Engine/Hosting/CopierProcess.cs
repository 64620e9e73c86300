using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Sessions;

namespace TcpReplay.Engine.Hosting;

/// <summary>
/// A live copy run by a small process of its own (TcpReplay.CopierHost, native or run by the dotnet host), mirrored here: its figures refresh four times a
/// second, its records are fetched on demand, and its last status, records and exchanges are kept once it stops.
/// </summary>
/// <remarks>
/// The copier then carries no PowerShell: about a third of pwsh's memory, no JIT or GC of the shell on its cores, and a
/// crash of the copy cannot take the shell down. The host stops its copy when this process goes away (its stdin ends).
/// </remarks>
public sealed class CopierProcess : ILiveCopy
{
    /// <summary>The host's file name, beside the engine's assembly.</summary>
    public const string HostFileName = "TcpReplay.CopierHost.dll";

    /// <summary>The host compiled ahead of time (NativeAOT), used instead of <see cref="HostFileName"/> when it is there.</summary>
    public const string NativeHostFileName = "TcpReplay.CopierHost";

    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMilliseconds(1500);

    /// <summary>A figure read later than this after the last status asks the host again, so a reader never sees one
    /// older than a packet or two (the timer alone would let it be a quarter of a second old).</summary>
    private static readonly long FreshTicks = Stopwatch.Frequency / 50;

    private readonly Process _process;
    private readonly Stream _toHost;
    private readonly Stream _fromHost;
    private readonly Lock _pipeLock = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentQueue<string> _stderrTail = new();
    private readonly Timer _refresh;
    private readonly CopyStatistics _statistics = new();
    private volatile CopierStatus _status = CopierStatus.Starting;
    private long _refreshedAt;
    private IReadOnlyList<CopiedConnection>? _finalConnections;
    private IReadOnlyList<RequestExchange>? _finalExchanges;
    private volatile string? _endReason;
    private int _ended;

    private CopierProcess(Process process)
    {
        _process = process;
        _toHost = process.StandardInput.BaseStream;
        _fromHost = process.StandardOutput.BaseStream;
        _refresh = new Timer(_ => Refresh(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Raised once when the copier process ended without being stopped (killed, crashed); the text says how.</summary>
    public event Action<string>? Ended;

    public CopyStatistics Statistics
    {
        get
        {
            EnsureFresh();
            return _statistics;
        }
    }

    public CaptureLayer CaptureLayer => Current.CaptureLayer;

    public string? CaptureReason => Current.CaptureReason;

    public string? CaptureDescription => Current.CaptureDescription;

    public CaptureSourceStatistics? CaptureStatistics => Current.CaptureStatistics;

    public IReadOnlyList<InterceptLinkStatus> InterceptLinks => Current.InterceptLinks;

    public bool InterceptConnected => Current.InterceptConnected;

    public long InterceptReconnects => Current.InterceptReconnects;

    public IReadOnlyList<string> Events => [.. _events];

    public int ResponsePayloadGranted => Current.ResponsePayloadGranted;

    public string? OnlineAnswerCaptureDescription => Current.OnlineAnswerCaptureDescription;

    public int OpenConnections => Current.OpenConnections;

    public int? EngineProcessId { get; private set; }

    /// <summary>Why the copier process ended without a stop; null while it runs or after a normal stop.</summary>
    public string? EndReason => _endReason;

    /// <summary>Starts the host process and the copy in it; returns once the copy runs.</summary>
    /// <param name="options">The copy, exactly as for <see cref="LiveCopy"/>.</param>
    /// <param name="hostPath">The host: an assembly (.dll, run by the dotnet host) or a native executable; by default
    /// <see cref="NativeHostFileName"/> beside the engine when it is there, else <see cref="HostFileName"/>.</param>
    /// <exception cref="CaptureException">The copy's capture could not be opened (the same causes as in-process).</exception>
    /// <exception cref="InvalidOperationException">The host could not be started, or the copy failed to start otherwise.</exception>
    public static CopierProcess Start(LiveCopyOptions options, string? hostPath = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        hostPath ??= DefaultHostPath();
        if (WhyUnavailable(hostPath) is { } why)
        {
            throw new InvalidOperationException($"{why} Or copy in-process.");
        }

        var start = hostPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ProcessStartInfo(FindDotnet(), [hostPath]) : new ProcessStartInfo(hostPath);
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // Footprint of a process whose steady state allocates nothing: a 2 MiB gen0 budget instead of one sized to the
        // cache, and two malloc arenas instead of one per busy thread. A value the user set wins.
        start.Environment.TryAdd("DOTNET_GCgen0MaxBudget", "0x200000");
        start.Environment.TryAdd("MALLOC_ARENA_MAX", "2");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"The copier host {hostPath} did not start.");
        var copier = new CopierProcess(process);
        process.ErrorDataReceived += (_, e) => copier.KeepStderr(e.Data);
        process.BeginErrorReadLine();
        try
        {
            copier.Begin(options);
        }
        catch
        {
            copier.Kill();
            process.Dispose();
            throw;
        }

        return copier;
    }

    /// <summary>Why no copier process can be started from this module (no host file, or no dotnet host for the assembly); null when one can.</summary>
    /// <param name="hostPath">As for <see cref="Start"/>.</param>
    public static string? WhyUnavailable(string? hostPath = null)
    {
        hostPath ??= DefaultHostPath();
        if (!File.Exists(hostPath))
        {
            return $"The copier host {hostPath} is missing: the module folder is incomplete (make module builds it).";
        }

        try
        {
            if (hostPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                FindDotnet();
            }

            return null;
        }
        catch (InvalidOperationException exception)
        {
            return exception.Message;
        }
    }

    public IReadOnlyList<CopiedConnection> GetConnections() =>
        _finalConnections ?? Ask(HostFrameType.ConnectionsRequest, HostFrameType.Connections, ReadConnections) ?? [];

    public IReadOnlyList<RequestExchange> GetExchanges() =>
        _finalExchanges ?? Ask(HostFrameType.ExchangesRequest, HostFrameType.Exchanges, ReadExchanges) ?? [];

    /// <summary>Stops the copy in the host and keeps its final figures and records; the host is killed if it takes over 1.5 s.</summary>
    public void Stop()
    {
        _refresh.Change(Timeout.Infinite, Timeout.Infinite);
        lock (_pipeLock)
        {
            if (Volatile.Read(ref _ended) == 1)
            {
                return;
            }

            var stopped = Exchange(HostFrameType.Stop, HostFrameType.Stopped, StopTimeout, reader =>
            {
                ReadStatus(reader);
                _finalConnections = ReadConnections(reader);
                _finalExchanges = ReadExchanges(reader);
                return true;
            });
            if (stopped)
            {
                MarkEnded(null);
            }
        }

        if (!_process.WaitForExit(300))
        {
            Kill();
        }
    }

    public void Dispose()
    {
        Stop();
        _refresh.Dispose();
        _process.Dispose();
    }

    /// <summary>The native host beside the engine when the module has one, else the assembly run by the dotnet host.</summary>
    private static string DefaultHostPath()
    {
        var folder = Path.GetDirectoryName(typeof(CopierProcess).Assembly.Location)!;
        var native = Path.Combine(folder, NativeHostFileName);
        return File.Exists(native) && MakeExecutable(native) ? native : Path.Combine(folder, HostFileName);
    }

    /// <summary>
    /// A module installed from a package (Install-PSResource, Install-Module: a .nupkg is a zip, which keeps no Unix
    /// modes) has its native host without the execute bits: they are set back when the folder may be written; false
    /// when they cannot be (a read-only install), and the assembly host is used instead.
    /// </summary>
    internal static bool MakeExecutable(string path)
    {
        const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | Execute);
            }

            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    /// <summary>The dotnet host that runs this runtime (pwsh as a dotnet tool), else DOTNET_ROOT's, else the one on PATH.</summary>
    internal static string FindDotnet()
    {
        var candidates = new List<string>
        {
            Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root)
        {
            candidates.Add(Path.Combine(root, "dotnet"));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, "dotnet")));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No dotnet host was found to run the copier process (looked beside this runtime, in DOTNET_ROOT and on PATH): install the .NET runtime, or copy in-process.");
    }

    private void Begin(LiveCopyOptions options)
    {
        lock (_pipeLock)
        {
            HostFrames.Write(_toHost, HostFrameType.Start, w => LiveCopyOptionsCodec.Write(w, options));
            var frame = ReadAnswer(AnswerTimeout) ?? throw new InvalidOperationException($"The copier process ended before the copy started. {StderrText()}".TrimEnd());
            switch (frame.Type)
            {
                case HostFrameType.Started:
                    EngineProcessId = frame.Payload.ReadInt32();
                    ReadStatus(frame.Payload);
                    break;
                case HostFrameType.StartFailed:
                    var kind = frame.Payload.ReadInt32();
                    var message = frame.Payload.ReadString();
                    throw kind >= 0 ? new CaptureException((CaptureErrorKind)kind, message) : new InvalidOperationException(message);
                default:
                    throw new InvalidDataException($"The copier process answered Start with {frame.Type}.");
            }
        }

        _refresh.Change(RefreshInterval, RefreshInterval);
    }

    private CopierStatus Current
    {
        get
        {
            EnsureFresh();
            return _status;
        }
    }

    private void EnsureFresh()
    {
        if (Stopwatch.GetTimestamp() - Volatile.Read(ref _refreshedAt) > FreshTicks && Volatile.Read(ref _ended) == 0)
        {
            Refresh();
        }
    }

    private void Refresh()
    {
        lock (_pipeLock)
        {
            if (Volatile.Read(ref _ended) == 0)
            {
                Exchange(HostFrameType.StatusRequest, HostFrameType.Status, AnswerTimeout, reader =>
                {
                    ReadStatus(reader);
                    return true;
                });
            }
        }
    }

    /// <summary>One request and its answer; null once the host has ended (its last figures stay).</summary>
    private T? Ask<T>(HostFrameType request, HostFrameType answer, Func<BinaryReader, T> read)
        where T : class
    {
        lock (_pipeLock)
        {
            if (Volatile.Read(ref _ended) == 1)
            {
                return null;
            }

            T? result = null;
            Exchange(request, answer, AnswerTimeout, reader => (result = read(reader)) is not null);
            return result;
        }
    }

    /// <summary>Sends a request and reads its answer under the pipe lock; false (and the host ended) on any failure.</summary>
    private bool Exchange(HostFrameType request, HostFrameType answer, TimeSpan timeout, Func<BinaryReader, bool> read)
    {
        try
        {
            HostFrames.Write(_toHost, request);
            var frame = ReadAnswer(timeout);
            if (frame is null)
            {
                MarkEnded(ExitText(request == HostFrameType.Stop ? "while stopping" : "unexpectedly"));
                return false;
            }

            if (frame.Value.Type != answer)
            {
                throw new InvalidDataException($"The copier process answered {request} with {frame.Value.Type}.");
            }

            return read(frame.Value.Payload);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or EndOfStreamException or ObjectDisposedException)
        {
            Kill();
            MarkEnded(ExitText($"unexpectedly (the pipe: {exception.Message})"));
            return false;
        }
    }

    /// <summary>
    /// Reads the next frame; a host that does not answer in time is killed, which ends the pipe and this read, so
    /// neither a figure nor a stop can hang on it.
    /// </summary>
    private (HostFrameType Type, BinaryReader Payload)? ReadAnswer(TimeSpan timeout)
    {
        using var watchdog = new CancellationTokenSource(timeout);
        var timedOut = false;
        using (watchdog.Token.Register(() =>
        {
            timedOut = true;
            Kill();
        }))
        {
            (HostFrameType Type, BinaryReader Payload)? frame;
            try
            {
                frame = HostFrames.Read(_fromHost);
            }
            catch (Exception exception) when (timedOut && exception is IOException or InvalidDataException)
            {
                frame = null;
            }

            if (timedOut)
            {
                MarkEnded($"The copier process {EngineProcessId} did not answer within {timeout.TotalSeconds:0.#} s and was killed; the last figures are kept.");
                return null;
            }

            return frame;
        }
    }

    private void ReadStatus(BinaryReader reader)
    {
        var status = CopierStatus.Read(reader);
        CopyStatisticsCodec.ReadInto(reader, _statistics);
        foreach (var text in status.NewEvents)
        {
            _events.Enqueue(text);
        }

        while (_events.Count > LiveCopy.EventsKept && _events.TryDequeue(out _))
        {
        }

        _status = status;
        Volatile.Write(ref _refreshedAt, Stopwatch.GetTimestamp());
    }

    private static List<CopiedConnection> ReadConnections(BinaryReader reader) => reader.ReadList(CopiedConnectionCodec.Read);

    private static List<RequestExchange> ReadExchanges(BinaryReader reader) => reader.ReadList(RequestExchangeCodec.Read);

    private void MarkEnded(string? reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        _refresh.Change(Timeout.Infinite, Timeout.Infinite);
        if (reason is not null)
        {
            _endReason = reason;
            _events.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {reason}");
            Ended?.Invoke(reason);
        }
    }

    private string ExitText(string how)
    {
        // 128 + N is how a process killed by signal N exits (9: SIGKILL, as the OOM killer sends).
        var code = !_process.WaitForExit(500) ? "still running"
            : _process.ExitCode > 128 ? $"exit code {_process.ExitCode}, signal {_process.ExitCode - 128}"
            : $"exit code {_process.ExitCode}";
        return $"The copier process {EngineProcessId} ended {how} ({code}); the last figures are kept, its connection records are lost. {StderrText()}".TrimEnd();
    }

    private string StderrText() => _stderrTail.IsEmpty ? "" : "Its last output: " + string.Join(" | ", _stderrTail);

    private void KeepStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        _stderrTail.Enqueue(line);
        while (_stderrTail.Count > 20 && _stderrTail.TryDequeue(out _))
        {
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited: nothing to kill.
        }
    }
}
