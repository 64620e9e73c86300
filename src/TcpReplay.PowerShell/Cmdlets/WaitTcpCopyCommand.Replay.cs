using System.Globalization;
using System.Management.Automation;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Offline replay progress: one child progress bar per replay session, under the copy's own.</summary>
public sealed partial class WaitTcpCopyCommand
{
    private readonly Dictionary<int, ProgressRecord> _replayRecords = [];

    private void WriteReplayProgress(int parentActivityId, bool completed)
    {
        for (var i = 0; i < _sessions.Count; i++)
        {
            if (_sessions[i].ReplayProgress is not { } p)
            {
                continue;
            }

            if (!_replayRecords.TryGetValue(i, out var record))
            {
                record = new ProgressRecord(parentActivityId + 1 + i, $"Replaying {_sessions[i].Name}", "planning") { ParentActivityId = parentActivityId };
                _replayRecords[i] = record;
            }

            record.StatusDescription = string.Create(CultureInfo.InvariantCulture,
                $"{p.Phase}: capture time {p.CaptureTimeDone.TotalSeconds:0.0} / {p.CaptureTimeTotal.TotalSeconds:0.0} s, connections {p.ConnectionsDone} done, {p.ConnectionsStarted} started / {p.ConnectionsTotal}, play {p.Loop}/{p.Loops}");
            record.PercentComplete = p.PercentComplete;
            record.RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing;
            WriteProgress(record);
        }
    }
}
