using System.Management.Automation;
using TcpReplay.Engine.Connections;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Emits the per-connection records of copies: endpoints, counts, and why each connection ended.</summary>
[Cmdlet(VerbsCommon.Get, "TcpCopyConnection")]
[OutputType(typeof(CopiedConnection))]
public sealed class GetTcpCopyConnectionCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public TcpCopySession[] Session { get; set; } = [];

    [Parameter]
    public CloseReason[] CloseReason { get; set; } = [];

    /// <summary>Only connections that ended abnormally (not Completed, CopierReset or ClientReset, and not open).</summary>
    [Parameter]
    public SwitchParameter Failed { get; set; }

    [Parameter]
    public SwitchParameter Open { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var session in Session)
        {
            foreach (var connection in session.GetConnections())
            {
                if (CloseReason.Length > 0 && !CloseReason.Contains(connection.CloseReason))
                {
                    continue;
                }

                if (Failed && (connection.IsOpen || connection.IsNormalClose))
                {
                    continue;
                }

                if (Open && !connection.IsOpen)
                {
                    continue;
                }

                WriteObject(connection);
            }
        }
    }
}
