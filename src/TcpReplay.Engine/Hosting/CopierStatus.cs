using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Runs;

namespace TcpReplay.Engine.Hosting;

/// <summary>
/// What a copier process reports besides its counters: capture layer and reason, intercept links, open connections,
/// the events raised since its last report, and for a replay its progress and damaged files.
/// </summary>
internal sealed record CopierStatus(
    CaptureLayer CaptureLayer,
    string? CaptureReason,
    string? CaptureDescription,
    CaptureSourceStatistics? CaptureStatistics,
    IReadOnlyList<InterceptLinkStatus> InterceptLinks,
    bool InterceptConnected,
    long InterceptReconnects,
    int ResponsePayloadGranted,
    string? OnlineAnswerCaptureDescription,
    int OpenConnections,
    IReadOnlyList<RunEvent> NewEvents,
    ReplayProgress? Progress,
    IReadOnlyList<CaptureFileProblem> FileProblems)
{
    public static readonly CopierStatus Starting = new(CaptureLayer.None, null, null, null, [], false, 0, -1, null, 0, [], null, []);

    public static CopierStatus Of(ICopyRun copy, IReadOnlyList<RunEvent> newEvents) => new(
        copy.CaptureLayer,
        copy.CaptureReason,
        copy.CaptureDescription,
        copy.CaptureStatistics,
        copy.InterceptLinks,
        copy.InterceptConnected,
        copy.InterceptReconnects,
        copy.ResponsePayloadGranted,
        copy.OnlineAnswerCaptureDescription,
        copy.OpenConnections,
        newEvents,
        copy.Progress,
        copy.FileProblems);

    public void Write(BinaryWriter writer)
    {
        writer.Write((int)CaptureLayer);
        writer.WriteNullable(CaptureReason);
        writer.WriteNullable(CaptureDescription);
        writer.Write(CaptureStatistics.HasValue);
        var capture = CaptureStatistics.GetValueOrDefault();
        writer.Write(capture.Received);
        writer.Write(capture.Delivered);
        writer.Write(capture.KernelDropped);
        writer.Write(capture.BufferPoolEmpty);
        writer.Write(capture.SinkFailed);
        writer.WriteList(InterceptLinks, (w, link) =>
        {
            w.Write(link.Server);
            w.Write(link.Link);
            w.Write((int)link.State);
            w.Write(link.Connects);
            w.Write(link.Failures);
            w.WriteNullable(link.LastError);
            w.WriteNullable(link.ConnectedSince);
            w.WriteNullable((int?)link.LastFailureKind);
        });

        writer.Write(InterceptConnected);
        writer.Write(InterceptReconnects);
        writer.Write(ResponsePayloadGranted);
        writer.WriteNullable(OnlineAnswerCaptureDescription);
        writer.Write(OpenConnections);
        writer.WriteList(NewEvents, (w, e) =>
        {
            w.Write(e.Time.Ticks);
            w.Write((int)e.Kind);
            w.Write(e.Message);
        });
        writer.Write(Progress is not null);
        if (Progress is { } progress)
        {
            writer.Write((int)progress.Phase);
            writer.Write(progress.CaptureTimeDone);
            writer.Write(progress.CaptureTimeTotal);
            writer.Write(progress.ConnectionsTotal);
            writer.Write(progress.ConnectionsStarted);
            writer.Write(progress.ConnectionsDone);
            writer.Write(progress.PacketsTotal);
            writer.Write(progress.PacketsReplayed);
            writer.Write(progress.Loop);
            writer.Write(progress.Loops);
            writer.Write(progress.SendLatenessP50);
            writer.Write(progress.SendLatenessP99);
            writer.Write(progress.SendLatenessMax);
        }

        writer.WriteList(FileProblems, (w, problem) =>
        {
            w.Write(problem.File);
            w.Write(problem.RecordsRead);
            w.Write(problem.Damage is not null);
            if (problem.Damage is { } damage)
            {
                w.Write((int)damage.Kind);
                w.Write(damage.Offset);
                w.Write(damage.Message);
            }

            w.WriteNullable(problem.Unreadable);
        });
    }

    public static CopierStatus Read(BinaryReader reader)
    {
        var layer = (CaptureLayer)reader.ReadInt32();
        var reason = reader.ReadNullableString();
        var description = reader.ReadNullableString();
        var hasCapture = reader.ReadBoolean();
        var capture = new CaptureSourceStatistics(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
        var links = reader.ReadList(r => new InterceptLinkStatus(r.ReadIPEndPoint(), r.ReadInt32(), (InterceptLinkState)r.ReadInt32(),
            r.ReadInt32(), r.ReadInt32(), r.ReadNullableString(), r.ReadNullableDateTime())
        {
            LastFailureKind = (LinkFailureKind?)r.ReadNullableInt32(),
        });

        var connected = reader.ReadBoolean();
        var reconnects = reader.ReadInt64();
        var granted = reader.ReadInt32();
        var onlineAnswers = reader.ReadNullableString();
        var open = reader.ReadInt32();
        var events = reader.ReadList(r => new RunEvent(new DateTime(r.ReadInt64(), DateTimeKind.Utc), (RunEventKind)r.ReadInt32(), r.ReadString()));

        var progress = reader.ReadBoolean()
            ? new ReplayProgress((ReplayPhase)reader.ReadInt32(), reader.ReadTimeSpan(), reader.ReadTimeSpan(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadTimeSpan(), reader.ReadTimeSpan(), reader.ReadTimeSpan())
            : null;
        var problems = reader.ReadList(r => new CaptureFileProblem(
            r.ReadString(),
            r.ReadInt64(),
            r.ReadBoolean() ? new CaptureFileError((CaptureFileErrorKind)r.ReadInt32(), r.ReadInt64(), r.ReadString()) : null,
            r.ReadNullableString()));

        return new CopierStatus(layer, reason, description, hasCapture ? capture : null, links, connected, reconnects, granted, onlineAnswers, open, events, progress, problems);
    }
}
