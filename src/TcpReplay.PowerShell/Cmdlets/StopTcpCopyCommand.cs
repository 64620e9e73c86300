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

    protected override void ProcessRecord()
    {
        foreach (var session in Session)
        {
            if (ShouldProcess($"{session.Name} ({string.Join(", ", session.Transfers)})", "Stop copy"))
            {
                session.StopJob();
                if (PassThru)
                {
                    WriteObject(session);
                }
            }
        }
    }
}
