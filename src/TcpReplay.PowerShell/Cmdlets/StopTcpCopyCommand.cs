using System.Management.Automation;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Stops copies: open connections are reset at the target, capture and sockets are released, within 2 seconds.</summary>
[Cmdlet(VerbsLifecycle.Stop, "TcpCopy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(TcpCopySession))]
public sealed class StopTcpCopyCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public TcpCopySession[] Session { get; set; } = [];

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly CancellationTokenSource _cancel = new();

    protected override void ProcessRecord()
    {
        foreach (var session in Session)
        {
            if (ShouldProcess($"{session.Name} ({string.Join(", ", session.Transfers)})", "Stop copy"))
            {
                session.StopJob(_cancel.Token);
                if (PassThru)
                {
                    WriteObject(session);
                }
            }
        }
    }

    /// <summary>Ctrl+C: a copier process still writing its final report is killed instead of waited for.</summary>
    protected override void StopProcessing() => _cancel.Cancel();
}
