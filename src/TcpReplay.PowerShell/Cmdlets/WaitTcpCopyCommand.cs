using System.Management.Automation;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Waits for copies to end (or for a time), showing live progress about once a second, then emits them.</summary>
[Cmdlet(VerbsLifecycle.Wait, "TcpCopy")]
[OutputType(typeof(TcpCopySession))]
public sealed partial class WaitTcpCopyCommand : PSCmdlet
{
    private readonly List<TcpCopySession> _sessions = [];
    private readonly CancellationTokenSource _cancel = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public TcpCopySession[] Session { get; set; } = [];

    /// <summary>Seconds to wait; a live copy runs until stopped, so without it the wait ends only on Stop-TcpCopy or Ctrl+C.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public double TimeoutSeconds { get; set; } = -1;

    protected override void ProcessRecord() => _sessions.AddRange(Session);

    protected override void EndProcessing()
    {
        var deadline = TimeoutSeconds < 0 ? DateTime.MaxValue : DateTime.UtcNow.AddSeconds(TimeoutSeconds);
        var progress = new ProgressRecord(0, "Copying", "starting");
        while (!_cancel.IsCancellationRequested && DateTime.UtcNow < deadline && _sessions.Any(s => s.JobStateInfo.State == JobState.Running))
        {
            var clients = _sessions.Sum(s => s.ClientPackets);
            var connections = _sessions.Sum(s => s.Connections);
            var completed = _sessions.Sum(s => s.Completed);
            var failed = _sessions.Sum(s => s.Failed);
            progress.StatusDescription = $"{connections} connections, {completed} completed, {failed} failed, {clients} client packets";
            if (deadline != DateTime.MaxValue)
            {
                progress.SecondsRemaining = (int)Math.Max(0, (deadline - DateTime.UtcNow).TotalSeconds);
            }

            WriteProgress(progress);
            WriteReplayProgress(progress.ActivityId, completed: false);
            var remaining = deadline - DateTime.UtcNow;
            var wait = remaining > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            _cancel.Token.WaitHandle.WaitOne(wait);
        }

        WriteReplayProgress(progress.ActivityId, completed: true);
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        foreach (var session in _sessions)
        {
            WriteObject(session);
        }
    }

    protected override void StopProcessing() => _cancel.Cancel();
}
