using System.Collections.Concurrent;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Runs;

namespace TcpReplay.Engine.Hosting;

/// <summary>
/// The copier process's side of the pipe: says hello, starts the live copy (Start) or the offline replay (StartReplay)
/// the session asks for, pushes its status a few times a second and a replay's completion, answers the session's
/// requests for records, and stops the run at the Stop frame or when the session's process is gone (its end of the
/// pipe closes).
/// </summary>
public static class CopierHost
{
    /// <summary>Exit code when the copy could not start (the StartFailed frame says why).</summary>
    public const int StartFailedExitCode = 3;

    /// <summary>Exit code when the session speaks another protocol version (the host's hello told it which).</summary>
    public const int VersionMismatchExitCode = 4;

    /// <summary>How often the status goes to the session unasked: often enough for a live view, rare enough to cost nothing.</summary>
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Serves one copy over <paramref name="input"/> and <paramref name="output"/>; returns the process exit code.</summary>
    /// <exception cref="InvalidDataException">The session sent something that is not a host frame.</exception>
    public static int Run(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var hello = HostFrames.Read(input);
        if (hello is null)
        {
            return 0;
        }

        if (hello.Value.Type != HostFrameType.Hello)
        {
            throw new InvalidDataException($"The first frame must be Hello, not {hello.Value.Type}.");
        }

        var sessionVersion = hello.Value.Payload.ReadInt32();
        HostFrames.Write(output, HostFrameType.Hello, w =>
        {
            w.Write(HostProtocol.Version);
            w.Write(HostProtocol.BuildIdentity);
        });
        if (sessionVersion != HostProtocol.Version)
        {
            // The session refuses this host by the hello it just got; nothing it sends after that can be read safely.
            return VersionMismatchExitCode;
        }

        var start = HostFrames.Read(input);
        if (start is null)
        {
            return 0;
        }

        using var run = Create(start.Value.Type, start.Value.Payload, out var begin);
        var pipe = new HostPipe(output, run);
        run.Ended += end => pipe.Complete(end);
        try
        {
            begin();
        }
        catch (Exception exception)
        {
            // Whatever failed, the session must learn why: it becomes the session's error, and this process ends here.
            var kind = exception is CaptureException capture ? (int)capture.Kind : -1;
            HostFrames.Write(output, HostFrameType.StartFailed, w =>
            {
                w.Write(kind);
                w.Write(exception.Message);
            });
            return StartFailedExitCode;
        }

        try
        {
            pipe.Write(HostFrameType.Started, w =>
            {
                w.Write(Environment.ProcessId);
                pipe.WriteStatus(w);
            });
            using (var push = new StatusPusher(pipe.PushStatus, StatusInterval))
            {
                Serve(input, pipe, run, push);
            }
        }
        catch (IOException)
        {
            // The session's process went away mid-frame (broken pipe): nobody is left to report to, so just stop.
        }
        finally
        {
            run.Stop();
        }

        return 0;
    }

    /// <summary>The run the first frame after the hellos asks for, and how to start it.</summary>
    private static ICopyRun Create(HostFrameType type, BinaryReader options, out Action begin)
    {
        switch (type)
        {
            case HostFrameType.Start:
                var copy = new LiveCopy(LiveCopyOptionsCodec.Read(options));
                begin = copy.Start;
                return copy;
            case HostFrameType.StartReplay:
                var replay = new OfflineReplay(OfflineReplayOptionsCodec.Read(options));
                begin = replay.Start;
                return replay;
            default:
                throw new InvalidDataException($"The frame after Hello must be Start or StartReplay, not {type}.");
        }
    }

    private static void Serve(Stream input, HostPipe pipe, ICopyRun copy, StatusPusher push)
    {
        while (HostFrames.Read(input) is { } frame)
        {
            switch (frame.Type)
            {
                case HostFrameType.ConnectionsRequest:
                    pipe.Write(HostFrameType.Connections, w => w.WriteList(copy.GetConnections(), CopiedConnectionCodec.Write));
                    break;
                case HostFrameType.ExchangesRequest:
                    pipe.Write(HostFrameType.Exchanges, w => w.WriteList(copy.GetExchanges(), RequestExchangeCodec.Write));
                    break;
                case HostFrameType.Stop:
                    // No status may follow the final one: the pushes end (and the last one is done) before the stop.
                    push.Dispose();
                    copy.Stop();
                    pipe.Write(HostFrameType.Stopped, w =>
                    {
                        pipe.WriteStatus(w);
                        w.WriteList(copy.GetConnections(), CopiedConnectionCodec.Write);
                        w.WriteList(copy.GetExchanges(), RequestExchangeCodec.Write);
                    });
                    return;
                default:
                    throw new InvalidDataException($"A copier process does not take a {frame.Type} frame.");
            }
        }
    }

    /// <summary>The host's output: frames from the request loop and the status pusher, one at a time, and the events not yet sent.</summary>
    private sealed class HostPipe
    {
        private readonly Stream _output;
        private readonly ICopyRun _copy;
        private readonly Lock _gate = new();
        private readonly ConcurrentQueue<RunEvent> _newEvents = new();

        public HostPipe(Stream output, ICopyRun copy)
        {
            _output = output;
            _copy = copy;
            copy.EventLog.Added += _newEvents.Enqueue;
        }

        public void Write(HostFrameType type, Action<BinaryWriter> payload)
        {
            lock (_gate)
            {
                HostFrames.Write(_output, type, payload);
            }
        }

        /// <summary>The pusher's status; a pipe that broke is the request loop's to notice (its read ends), not the pusher's.</summary>
        public void PushStatus()
        {
            try
            {
                Write(HostFrameType.Status, WriteStatus);
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
            }
        }

        /// <summary>A replay that played its files: its final status, then the word that it completed.</summary>
        public void Complete(RunEnd end)
        {
            try
            {
                Write(HostFrameType.Status, WriteStatus);
                Write(HostFrameType.Completed, w => w.Write(end.Reason));
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
            }
        }

        public void WriteStatus(BinaryWriter writer)
        {
            var events = new List<RunEvent>();
            while (_newEvents.TryDequeue(out var added))
            {
                events.Add(added);
            }

            CopierStatus.Of(_copy, events).Write(writer);
            CopyStatisticsCodec.Write(writer, _copy.Statistics);
        }
    }
}
