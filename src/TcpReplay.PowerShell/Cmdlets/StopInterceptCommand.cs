using System.Management.Automation;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Stops intercepts: the capture handle and the channel are released within 2 seconds.</summary>
[Cmdlet(VerbsLifecycle.Stop, "Intercept", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(InterceptSession))]
public sealed class StopInterceptCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public InterceptSession[] Session { get; set; } = [];

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var session in Session)
        {
            if (ShouldProcess($"{session.Name} on {session.Interface}", "Stop intercept"))
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
