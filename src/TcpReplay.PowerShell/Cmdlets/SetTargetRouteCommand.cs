using System.Management.Automation;
using System.Net;
using TcpReplay.Engine;
using TcpReplay.Engine.Diagnostics;
using static TcpReplay.PowerShell.Cmdlets.TargetRouteSupport;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Routes fake client networks on the target via the assistant, so the target's answers to copied connections reach
/// the assistant, which captures them and never forwards them.
/// </summary>
[Cmdlet(VerbsCommon.Set, "TargetRoute", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RouteInfo))]
public sealed class SetTargetRouteCommand : TargetRouteCommand
{
    private uint _assistant;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNull]
    [ValidateIPv4Address]
    public IPAddress Assistant { get; set; } = IPAddress.None;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

    protected override void BeginProcessing()
    {
        _assistant = Addresses.FromIPAddress(Assistant);
        if (Interface is null)
        {
            return;
        }

        NetworkInterfaceFacts? facts;
        try
        {
            facts = NetworkInterfaces.Find(Interface, null, Cancellation.Token);
        }
        catch (HostCommandException exception)
        {
            ThrowTerminatingError(ErrorRecords.Create(exception, RouteCommandFailed, ErrorCategory.InvalidOperation, Interface, "Check that iproute2 (ip) is installed."));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (facts is null)
        {
            ThrowTerminatingError(InterfaceNotFoundError(Interface));
        }
    }

    private protected override void Change(IPv4Network network)
    {
        try
        {
            SetRoute(network);
        }
        catch (GatewayNotOnLinkException exception)
        {
            // The assistant is the same for every network: if the kernel refuses it once, it refuses it for all.
            ThrowTerminatingError(AssistantUnreachableError(exception, Assistant));
        }
    }

    private void SetRoute(IPv4Network network)
    {
        var plan = KernelRouteTable.Ensure(network, _assistant, Interface, whatIf: true, null, Cancellation.Token);
        if (plan.Kind == RouteChangeKind.Unchanged)
        {
            WriteObject(new RouteInfo(network, Assistant, plan.After?.Device, plan));
            return;
        }

        var action = $"{(plan.Kind == RouteChangeKind.Added ? "Add" : "Replace")} route via {Assistant} dev {plan.After?.Device} ({plan.Command})";
        if (!ShouldProcess(network.ToString(), action))
        {
            return;
        }

        if (!Privileges.CanChangeNetwork)
        {
            ThrowTerminatingError(NotPermittedError(network));
        }

        var change = KernelRouteTable.Ensure(network, _assistant, Interface, whatIf: false, null, Cancellation.Token);
        WriteObject(new RouteInfo(network, Assistant, change.After?.Device, change));
    }
}
