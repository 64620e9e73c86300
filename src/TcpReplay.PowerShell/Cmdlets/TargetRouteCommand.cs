using System.Management.Automation;
using TcpReplay.Engine.Diagnostics;
using static TcpReplay.PowerShell.Cmdlets.TargetRouteSupport;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// What Set-TargetRoute and Remove-TargetRoute share: the fake client networks they take, one route change per network
/// (a network that does not parse, or an ip command that fails, is an error for that network and the next one goes on),
/// and Ctrl+C, which kills the ip command in flight instead of waiting out its time limit.
/// </summary>
public abstract class TargetRouteCommand : PSCmdlet, IDisposable
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [NetworkTextTransformation]
    [ValidateNotNullOrEmpty]
    public string[] FakeClientNetwork { get; set; } = [];

    /// <summary>Cancelled by Ctrl+C; every ip command the cmdlet runs takes it.</summary>
    private protected CancellationTokenSource Cancellation { get; } = new();

    protected override void ProcessRecord()
    {
        foreach (var text in FakeClientNetwork)
        {
            if (Cancellation.IsCancellationRequested)
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
                Change(network);
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

    protected override void StopProcessing() => Cancellation.Cancel();

    public void Dispose()
    {
        Cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Plans the change for one network, asks ShouldProcess, makes it and writes its RouteInfo.</summary>
    private protected abstract void Change(IPv4Network network);
}
