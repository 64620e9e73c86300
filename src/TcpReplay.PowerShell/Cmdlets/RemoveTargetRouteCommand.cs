using System.Management.Automation;
using System.Net;
using TcpReplay.Engine;
using TcpReplay.Engine.Diagnostics;
using static TcpReplay.PowerShell.Cmdlets.TargetRouteSupport;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Removes the routes Set-TargetRoute made: the route of each fake client network through a gateway.</summary>
[Cmdlet(VerbsCommon.Remove, "TargetRoute", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RouteInfo))]
public sealed class RemoveTargetRouteCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [NetworkTextTransformation]
    [ValidateNotNullOrEmpty]
    public string[] FakeClientNetwork { get; set; } = [];

    // By property name too, so that Set-TargetRoute ... | Remove-TargetRoute removes exactly the routes it set.
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateIPv4Address]
    public IPAddress? Assistant { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var text in FakeClientNetwork)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            if (!TryParseNetwork(text, out var network, out var error))
            {
                WriteError(error);
                continue;
            }

            try
            {
                RemoveRoute(network);
            }
            catch (HostCommandException exception)
            {
                WriteError(RouteCommandFailedError(exception, network));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the ip command in flight was killed; the pipeline is stopping anyway.
                return;
            }
        }
    }

    // Ctrl+C kills the ip command in flight instead of waiting out its time limit.
    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    private void RemoveRoute(IPv4Network network)
    {
        uint? gateway = Assistant is null ? null : Addresses.FromIPAddress(Assistant);
        var plan = KernelRouteTable.Remove(network, gateway, whatIf: true, null, _stopping.Token);
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

        var change = KernelRouteTable.Remove(network, gateway, whatIf: false, null, _stopping.Token);
        var gone = change.Before ?? removed;
        WriteObject(new RouteInfo(network, ParseAddress(gone.Gateway), gone.Device, change));
    }
}
