using System.Globalization;
using System.Management.Automation;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// The live view of running copies for Wait-TcpCopy and Start-TcpCopy -Wait: one progress record, refreshed about
/// once a second, with the rates since the previous refresh (client packets, sent packets and new connections per
/// second) and the counts so far.
/// </summary>
internal sealed class CopyProgress
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private readonly int _activityId;
    private readonly string _activity;
    private ProgressRecord _record;
    private readonly DateTime _begin;
    private DateTime _previousTime;
    private long _previousClient;
    private long _previousSent;
    private long _previousConnections;

    internal CopyProgress(IReadOnlyList<TcpCopySession> sessions, int activityId, DateTime nowUtc)
    {
        _activityId = activityId;
        _activity = sessions.Count == 1 ? $"Copying {string.Join(", ", sessions[0].Transfers)}" : $"Copying ({sessions.Count} sessions)";
        _record = new ProgressRecord(activityId, _activity, "starting");
        _begin = nowUtc;
        // The first rates average over the copies' lifetime so far, not over zero seconds.
        _previousTime = sessions.Count == 0 ? nowUtc : sessions.Min(s => s.StartTime);
    }

    /// <summary>The record for the state of <paramref name="sessions"/> at <paramref name="nowUtc"/>; rates are since the previous call.</summary>
    internal ProgressRecord Next(IReadOnlyList<TcpCopySession> sessions, DateTime nowUtc, DateTime deadline)
    {
        var client = sessions.Sum(s => s.ClientPackets);
        var sent = sessions.Sum(s => s.SentPackets);
        var connections = sessions.Sum(s => s.Connections);
        var seconds = Math.Max(1e-3, (nowUtc - _previousTime).TotalSeconds);
        // A new record each refresh: a host draws it at once, but a Progress stream collection keeps the object itself.
        _record = new ProgressRecord(_activityId, _activity, "starting");
        _record.StatusDescription = Describe((client - _previousClient) / seconds, (sent - _previousSent) / seconds, (connections - _previousConnections) / seconds,
            connections, sessions.Sum(s => s.Completed), sessions.Sum(s => s.Failed), client);
        (_previousTime, _previousClient, _previousSent, _previousConnections) = (nowUtc, client, sent, connections);
        if (deadline != DateTime.MaxValue)
        {
            var total = Math.Max(1e-3, (deadline - _begin).TotalSeconds);
            _record.SecondsRemaining = (int)Math.Max(0, Math.Ceiling((deadline - nowUtc).TotalSeconds));
            _record.PercentComplete = (int)Math.Clamp((nowUtc - _begin).TotalSeconds / total * 100, 0, 100);
        }

        return _record;
    }

    internal ProgressRecord Completed() =>
        new(_activityId, _activity, _record.StatusDescription) { RecordType = ProgressRecordType.Completed, PercentComplete = _record.PercentComplete };

    /// <summary>One line: rates first (what a watcher looks at), then the counts so far.</summary>
    internal static string Describe(double clientRate, double sentRate, double connectionRate, long connections, long completed, long failed, long clientPackets) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{clientRate:#,0} client pkt/s, {sentRate:#,0} sent pkt/s, {connectionRate:#,0.0} conn/s | {connections:#,0} connections, {completed:#,0} completed, {failed:#,0} failed, {clientPackets:#,0} client packets");

    /// <summary>
    /// Writes the progress of <paramref name="sessions"/> about once a second until none runs, the deadline passes or
    /// <paramref name="cancel"/> is set (StopProcessing), then completes the record.
    /// </summary>
    internal static void Wait(Cmdlet cmdlet, IReadOnlyList<TcpCopySession> sessions, DateTime deadline, CancellationToken cancel, int activityId = 0)
    {
        var progress = new CopyProgress(sessions, activityId, DateTime.UtcNow);
        while (!cancel.IsCancellationRequested && DateTime.UtcNow < deadline && sessions.Any(s => s.JobStateInfo.State == JobState.Running))
        {
            cmdlet.WriteProgress(progress.Next(sessions, DateTime.UtcNow, deadline));
            WriteReplayProgress(cmdlet, sessions, activityId, completed: false);
            var remaining = deadline - DateTime.UtcNow;
            cancel.WaitHandle.WaitOne(remaining > Refresh ? Refresh : remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }

        if (!cancel.IsCancellationRequested)
        {
            WriteReplayProgress(cmdlet, sessions, activityId, completed: true);
            cmdlet.WriteProgress(progress.Completed());
        }
    }

    /// <summary>An offline replay also gets a child record: capture time done / total, connections done / total.</summary>
    private static void WriteReplayProgress(Cmdlet cmdlet, IReadOnlyList<TcpCopySession> sessions, int parentActivityId, bool completed)
    {
        for (var i = 0; i < sessions.Count; i++)
        {
            if (sessions[i].ReplayProgress is not { } p)
            {
                continue;
            }

            var status = string.Create(CultureInfo.InvariantCulture,
                $"{p.Phase}: capture time {p.CaptureTimeDone.TotalSeconds:0.0} / {p.CaptureTimeTotal.TotalSeconds:0.0} s, connections {p.ConnectionsDone} done, {p.ConnectionsStarted} started / {p.ConnectionsTotal}, play {p.Loop}/{p.Loops}");
            cmdlet.WriteProgress(new ProgressRecord(parentActivityId + 1 + i, $"Replaying {sessions[i].Name}", status)
            {
                ParentActivityId = parentActivityId,
                PercentComplete = p.PercentComplete,
                RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        }
    }
}
