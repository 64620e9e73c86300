using System.Diagnostics;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Runs;

namespace TcpReplay.Engine.Hosting;

/// <summary>
/// A live copy or an offline replay run by a small process of its own (TcpReplay.CopierHost, native or run by the dotnet host), mirrored here:
/// one reader thread takes the status the host pushes a few times a second into a snapshot that every property reads,
/// records are fetched on demand, and the last status, records and exchanges are kept once it stops.
/// </summary>
/// <remarks>
/// The copier then carries no PowerShell: about a third of pwsh's memory, no JIT or GC of the shell on its cores, and a
/// crash of the copy cannot take the shell down. No property waits on the pipe, so a host that stops answering cannot
/// stall a shell that lists or formats its session. The host stops its copy when this process goes away (its stdin ends).
/// </remarks>
public sealed partial class CopierProcess : ICopyRun
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMilliseconds(1500);

    /// <summary>The hello's version when the host ended without one.</summary>
    private const int NoHello = -1;

    private readonly Process _process;
    private readonly string _hostPath;
    private readonly Stream _toHost;
    private readonly Stream _fromHost;
    private readonly Lock _writeLock = new();
    private readonly Lock _requestLock = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _stderrTail = new();
    private readonly CopyStatistics _statistics = new();
    private readonly TaskCompletionSource<(int Version, string Build)> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _reader;
    private volatile CopierStatus _status = CopierStatus.Starting;
    private volatile Exception? _startFailure;
    private TaskCompletionSource<object?>? _pending;
    private HostFrameType _pendingAnswer;
    private IReadOnlyList<CopiedConnection>? _finalConnections;
    private IReadOnlyList<RequestExchange>? _finalExchanges;
    private volatile string? _endReason;
    private int _stopping;
    private int _ended;

    private CopierProcess(Process process, string hostPath)
    {
        _process = process;
        _hostPath = hostPath;
        _toHost = process.StandardInput.BaseStream;
        _fromHost = process.StandardOutput.BaseStream;
        _reader = new Thread(ReadFrames) { IsBackground = true, Name = "TcpReplay copier process reader" };
    }

    /// <summary>Raised once when the copier process ended without being stopped (killed, crashed); the reason says how.</summary>
    public event Action<RunEnd>? Ended;

    public CopyStatistics Statistics => _statistics;

    public CaptureLayer CaptureLayer => _status.CaptureLayer;

    public string? CaptureReason => _status.CaptureReason;

    public string? CaptureDescription => _status.CaptureDescription;

    public CaptureSourceStatistics? CaptureStatistics => _status.CaptureStatistics;

    public IReadOnlyList<InterceptLinkStatus> InterceptLinks => _status.InterceptLinks;

    public bool InterceptConnected => _status.InterceptConnected;

    public long InterceptReconnects => _status.InterceptReconnects;

    public IReadOnlyList<RunEvent> Events => EventLog.Snapshot();

    public RunEventLog EventLog { get; } = new();

    public int ResponsePayloadGranted => _status.ResponsePayloadGranted;

    public string? OnlineAnswerCaptureDescription => _status.OnlineAnswerCaptureDescription;

    public int OpenConnections => _status.OpenConnections;

    public ReplayProgress? Progress => _status.Progress;

    public IReadOnlyList<CaptureFileProblem> FileProblems => _status.FileProblems;

    public int? EngineProcessId { get; private set; }

    /// <summary>Why the copier process ended without a stop; null while it runs or after a normal stop.</summary>
    public string? EndReason => _endReason;

    /// <summary>The connection records: asked of the host while it runs (up to 10 s; a host that does not answer is killed), the final ones after.</summary>
    public IReadOnlyList<CopiedConnection> GetConnections() =>
        _finalConnections ?? Ask(HostFrameType.ConnectionsRequest, HostFrameType.Connections) as IReadOnlyList<CopiedConnection> ?? _finalConnections ?? [];

    public IReadOnlyList<RequestExchange> GetExchanges() =>
        _finalExchanges ?? Ask(HostFrameType.ExchangesRequest, HostFrameType.Exchanges) as IReadOnlyList<RequestExchange> ?? _finalExchanges ?? [];

    /// <summary>Stops the copy in the host and keeps its final figures and records; the host is killed if it takes over 1.5 s.</summary>
    public void Stop() => Stop(CancellationToken.None);

    /// <summary>As <see cref="Stop()"/>; <paramref name="cancellationToken"/> (Ctrl+C) kills the host at once instead of waiting for its final figures.</summary>
    public void Stop(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0 && Volatile.Read(ref _ended) == 0)
        {
            var answered = Send(HostFrameType.Stop) && Wait(_stopped.Task, StopTimeout, cancellationToken);
            if (!answered)
            {
                Kill();
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
        _reader.Join(TimeSpan.FromSeconds(1));
        _process.Dispose();
    }

    /// <summary>Hellos both ways, then the options; returns when the copy runs in the host.</summary>
    private void Begin(HostFrameType start, Action<BinaryWriter> writeOptions, CancellationToken cancellationToken)
    {
        _reader.Start();
        Send(HostFrameType.Hello, w => w.Write(HostProtocol.Version));
        if (!Wait(_hello.Task, AnswerTimeout, cancellationToken) || _hello.Task.Result.Version == NoHello)
        {
            throw new InvalidOperationException(
                $"The copier host {_hostPath} did not say which protocol it speaks ({WhyNoAnswer()}): a host from a build before protocol {HostProtocol.Version} says nothing. " +
                $"Install the module again so that its engine and host come from one build. {StderrText()}".TrimEnd());
        }

        var (version, build) = _hello.Task.Result;
        if (version != HostProtocol.Version)
        {
            throw new CopierHostMismatchException(_hostPath, version, build);
        }

        Send(start, writeOptions);
        if (!Wait(_started.Task, AnswerTimeout, cancellationToken))
        {
            throw new InvalidOperationException($"The copier process did not start the copy ({WhyNoAnswer()}). {StderrText()}".TrimEnd());
        }

        if (_startFailure is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Waits for an answer the reader thread delivers; false when the host ended, or did not answer in time (it is killed
    /// then, which ends the reader). <paramref name="cancellationToken"/> kills it at once and throws.
    /// </summary>
    private bool Wait(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            if (!task.Wait(timeout, cancellationToken))
            {
                Kill();
                MarkEnded($"The copier process {EngineProcessId} did not answer within {timeout.TotalSeconds:0.#} s and was killed; the last figures are kept.");
                return false;
            }
        }
        catch (OperationCanceledException)
        {
            Kill();
            MarkEnded(null);
            throw;
        }

        return task is not Task<bool> answer || answer.Result;
    }

    /// <summary>One request and its answer, one at a time; null once the host has ended (its last figures stay).</summary>
    private object? Ask(HostFrameType request, HostFrameType answer)
    {
        lock (_requestLock)
        {
            if (Volatile.Read(ref _ended) == 1)
            {
                return null;
            }

            var pending = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_writeLock)
            {
                _pendingAnswer = answer;
                _pending = pending;
            }

            if (!Send(request) || !Wait(pending.Task, AnswerTimeout, CancellationToken.None))
            {
                return null;
            }

            return pending.Task.Result;
        }
    }

    /// <summary>Writes one frame to the host; false (and the host ended) when the pipe is gone.</summary>
    private bool Send(HostFrameType type, Action<BinaryWriter>? payload = null)
    {
        try
        {
            lock (_writeLock)
            {
                HostFrames.Write(_toHost, type, payload);
            }

            return true;
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            Kill();
            MarkEnded(ExitText($"unexpectedly (the pipe: {exception.Message})"));
            return false;
        }
    }

    /// <summary>
    /// The reader thread: every frame the host sends, in order, until its end of the pipe closes. Whatever goes wrong
    /// here ends the mirror with the reason; nothing escapes the thread, which would take the shell down.
    /// </summary>
    private void ReadFrames()
    {
        try
        {
            while (HostFrames.Read(_fromHost) is { } frame)
            {
                Take(frame.Type, frame.Payload);
            }

            EndUnlessEnded(Volatile.Read(ref _stopping) == 1 ? "while stopping" : "unexpectedly");
        }
        catch (Exception exception)
        {
            Kill();
            EndUnlessEnded($"unexpectedly (the pipe: {exception.Message})");
        }
        finally
        {
            // Whoever still waits learns that no answer comes.
            _hello.TrySetResult((NoHello, ""));
            _started.TrySetResult(false);
            _stopped.TrySetResult(false);
            Interlocked.Exchange(ref _pending, null)?.TrySetResult(null);
        }
    }

    private void EndUnlessEnded(string how)
    {
        if (Volatile.Read(ref _ended) == 0)
        {
            MarkEnded(ExitText(how));
        }
    }

    private void Take(HostFrameType type, BinaryReader payload)
    {
        switch (type)
        {
            case HostFrameType.Hello:
                _hello.TrySetResult((payload.ReadInt32(), payload.ReadString()));
                break;
            case HostFrameType.Started:
                EngineProcessId = payload.ReadInt32();
                ReadStatus(payload);
                _started.TrySetResult(true);
                break;
            case HostFrameType.StartFailed:
                var kind = payload.ReadInt32();
                var message = payload.ReadString();
                _startFailure = kind >= 0 ? new CaptureException((CaptureErrorKind)kind, message) : new InvalidOperationException(message);
                _started.TrySetResult(true);
                break;
            case HostFrameType.Status:
                ReadStatus(payload);
                break;
            case HostFrameType.Connections:
            case HostFrameType.Exchanges:
                Answer(type, type == HostFrameType.Connections ? ReadConnections(payload) : ReadExchanges(payload));
                break;
            case HostFrameType.Completed:
                // Raised off this thread: whoever handles it may stop the run, whose answer this thread must read.
                var completed = new RunEnd(RunEndKind.Completed, payload.ReadString());
                ThreadPool.QueueUserWorkItem(_ => Ended?.Invoke(completed));
                break;
            case HostFrameType.Stopped:
                ReadStatus(payload);
                _finalConnections = ReadConnections(payload);
                _finalExchanges = ReadExchanges(payload);
                MarkEnded(null);
                _stopped.TrySetResult(true);
                break;
            default:
                throw new InvalidDataException($"The copier process sent a {type} frame, which a session does not take.");
        }
    }

    private void Answer(HostFrameType type, object records)
    {
        TaskCompletionSource<object?>? pending;
        lock (_writeLock)
        {
            pending = _pendingAnswer == type ? Interlocked.Exchange(ref _pending, null) : null;
        }

        if (pending is null)
        {
            throw new InvalidDataException($"The copier process sent {type} that nobody asked for.");
        }

        pending.TrySetResult(records);
    }

    private void ReadStatus(BinaryReader reader)
    {
        var status = CopierStatus.Read(reader);
        CopyStatisticsCodec.ReadInto(reader, _statistics);
        foreach (var added in status.NewEvents)
        {
            EventLog.Add(added);
        }

        _status = status;
    }

    private static List<CopiedConnection> ReadConnections(BinaryReader reader) => reader.ReadList(CopiedConnectionCodec.Read);

    private static List<RequestExchange> ReadExchanges(BinaryReader reader) => reader.ReadList(RequestExchangeCodec.Read);

    /// <summary>The one way the mirror ends: once, with the reason when nobody stopped it (then <see cref="Ended"/> is raised).</summary>
    private void MarkEnded(string? reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        if (reason is not null && Volatile.Read(ref _stopping) == 0)
        {
            _endReason = reason;
            EventLog.Add(RunEventKind.Process, reason);
            Ended?.Invoke(new RunEnd(RunEndKind.Failed, reason));
        }
    }

    private string WhyNoAnswer() => _endReason ?? (_process.WaitForExit(200) ? $"it ended, exit code {_process.ExitCode}" : $"no answer within {AnswerTimeout.TotalSeconds:0} s");

    private string ExitText(string how)
    {
        // 128 + N is how a process killed by signal N exits (9: SIGKILL, as the OOM killer sends).
        string code;
        try
        {
            code = !_process.WaitForExit(500) ? "still running"
                : _process.ExitCode > 128 ? $"exit code {_process.ExitCode}, signal {_process.ExitCode - 128}"
                : $"exit code {_process.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            code = "its process released";
        }

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
