using System.Collections.Concurrent;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Live;

namespace TcpReplay.Engine.Hosting;

/// <summary>
/// The copier process's side of the pipe: starts the live copy the Start frame describes, answers the session's
/// requests, and stops the copy at the Stop frame or when the session's process is gone (its end of the pipe closes).
/// </summary>
public static class CopierHost
{
    /// <summary>Exit code when the copy could not start (the StartFailed frame says why).</summary>
    public const int StartFailedExitCode = 3;

    /// <summary>Serves one copy over <paramref name="input"/> and <paramref name="output"/>; returns the process exit code.</summary>
    /// <exception cref="InvalidDataException">The session sent something that is not a host frame.</exception>
    public static int Run(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var start = HostFrames.Read(input);
        if (start is null)
        {
            return 0;
        }

        if (start.Value.Type != HostFrameType.Start)
        {
            throw new InvalidDataException($"The first frame must be Start, not {start.Value.Type}.");
        }

        var options = LiveCopyOptionsCodec.Read(start.Value.Payload);
        var newEvents = new ConcurrentQueue<string>();
        using var copy = new LiveCopy(options);
        copy.EventRaised += newEvents.Enqueue;
        try
        {
            copy.Start();
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
            HostFrames.Write(output, HostFrameType.Started, w =>
            {
                w.Write(Environment.ProcessId);
                WriteStatus(w, copy, newEvents);
            });
            Serve(input, output, copy, newEvents);
        }
        catch (IOException)
        {
            // The session's process went away mid-frame (broken pipe): nobody is left to report to, so just stop.
        }
        finally
        {
            copy.Stop();
        }

        return 0;
    }

    private static void Serve(Stream input, Stream output, LiveCopy copy, ConcurrentQueue<string> newEvents)
    {
        while (HostFrames.Read(input) is { } frame)
        {
            switch (frame.Type)
            {
                case HostFrameType.StatusRequest:
                    HostFrames.Write(output, HostFrameType.Status, w => WriteStatus(w, copy, newEvents));
                    break;
                case HostFrameType.ConnectionsRequest:
                    HostFrames.Write(output, HostFrameType.Connections, w => WriteConnections(w, copy));
                    break;
                case HostFrameType.ExchangesRequest:
                    HostFrames.Write(output, HostFrameType.Exchanges, w => WriteExchanges(w, copy));
                    break;
                case HostFrameType.Stop:
                    copy.Stop();
                    HostFrames.Write(output, HostFrameType.Stopped, w =>
                    {
                        WriteStatus(w, copy, newEvents);
                        WriteConnections(w, copy);
                        WriteExchanges(w, copy);
                    });
                    return;
                default:
                    throw new InvalidDataException($"A copier process does not take a {frame.Type} frame.");
            }
        }
    }

    private static void WriteStatus(BinaryWriter writer, LiveCopy copy, ConcurrentQueue<string> newEvents)
    {
        var events = new List<string>();
        while (newEvents.TryDequeue(out var text))
        {
            events.Add(text);
        }

        CopierStatus.Of(copy, events).Write(writer);
        CopyStatisticsCodec.Write(writer, copy.Statistics);
    }

    private static void WriteConnections(BinaryWriter writer, LiveCopy copy) =>
        writer.WriteList(copy.GetConnections(), CopiedConnectionCodec.Write);

    private static void WriteExchanges(BinaryWriter writer, LiveCopy copy) =>
        writer.WriteList(copy.GetExchanges(), RequestExchangeCodec.Write);
}
