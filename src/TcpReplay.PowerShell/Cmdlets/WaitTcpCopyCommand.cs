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
        CopyProgress.Wait(this, _sessions, deadline, _cancel.Token);
        foreach (var session in _sessions)
        {
            WriteObject(session);
        }
    }

    protected override void StopProcessing() => _cancel.Cancel();
}
