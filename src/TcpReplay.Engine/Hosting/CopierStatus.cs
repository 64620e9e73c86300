using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Runs;

namespace TcpReplay.Engine.Hosting;

/// <summary>
/// What a copier process reports besides its counters: capture layer and reason, intercept links, open connections,
/// and the events raised since its last report.
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
    IReadOnlyList<RunEvent> NewEvents)
{
    public static readonly CopierStatus Starting = new(CaptureLayer.None, null, null, null, [], false, 0, -1, null, 0, []);

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
        newEvents);

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

        return new CopierStatus(layer, reason, description, hasCapture ? capture : null, links, connected, reconnects, granted, onlineAnswers, open, events);
    }
}
