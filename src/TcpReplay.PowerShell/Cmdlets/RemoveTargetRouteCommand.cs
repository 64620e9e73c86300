using System.Management.Automation;
using System.Net;
using TcpReplay.Engine;
using TcpReplay.Engine.Diagnostics;
using static TcpReplay.PowerShell.Cmdlets.TargetRouteSupport;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Removes the routes Set-TargetRoute made: the route of each fake client network through a gateway.</summary>
[Cmdlet(VerbsCommon.Remove, "TargetRoute", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RouteInfo))]
public sealed class RemoveTargetRouteCommand : TargetRouteCommand
{
    // By property name too, so that Set-TargetRoute ... | Remove-TargetRoute removes exactly the routes it set.
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateIPv4Address]
    public IPAddress? Assistant { get; set; }

    private protected override void Change(IPv4Network network)
    {
        uint? gateway = Assistant is null ? null : Addresses.FromIPAddress(Assistant);
        var plan = KernelRouteTable.Remove(network, gateway, whatIf: true, null, Cancellation.Token);
        if (plan.Kind == RouteChangeKind.Absent)
        {
            WriteObject(new RouteInfo(network, Assistant, null, plan));
            return;
        }

        var removed = plan.Before!;
        if (!ShouldProcess(network.ToString(), $"Remove route via {removed.Gateway} dev {removed.Device} ({plan.Command})"))
        {
            return;
        }

        if (!Privileges.CanChangeNetwork)
        {
            ThrowTerminatingError(NotPermittedError(network));
        }

        var change = KernelRouteTable.Remove(network, gateway, whatIf: false, null, Cancellation.Token);
        var gone = change.Before ?? removed;
        WriteObject(new RouteInfo(network, ParseAddress(gone.Gateway), gone.Device, change));
    }
}
