using System.Management.Automation;
using System.Net;
using TcpReplay.Engine;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Diagnostics.Health;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Checks this host for the role (or roles) it plays in a live copy and reports each check with what it measured
/// and the fix. A failed check is a result, never an error.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ReplayHealth")]
[OutputType(typeof(HealthCheckResult))]
[OutputType(typeof(bool))]
public sealed class TestReplayHealthCommand : PSCmdlet, IDisposable
{
    private const string AllRoles = "All";
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Position = 0)]
    [ValidateSet(nameof(HealthRole.Online), nameof(HealthRole.Target), nameof(HealthRole.Assistant), AllRoles)]
    public string[] Role { get; set; } = [AllRoles];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Transfer { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] InterceptServer { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] FakeClientAddress { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Interface { get; set; }

    [Parameter]
    [ValidateNotNull]
    [ValidateIPv4Address]
    public IPAddress? Assistant { get; set; }

    [Parameter]
    public CaptureMode CaptureMode { get; set; } = CaptureMode.Auto;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int InterceptPort { get; set; } = ChannelProtocol.DefaultPort;

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        var options = new HealthCheckOptions
        {
            Transfers = CopyParameters.ParseTransfers(this, Transfer),
            InterceptServers = CopyParameters.ParseInterceptServers(this, InterceptServer),
            FakeClientNetworks = CopyParameters.ParseFakeNetworks(this, FakeClientAddress),
            Interface = Interface,
            Assistant = Assistant is null ? null : Addresses.FromIPAddress(Assistant),
            CaptureMode = CaptureMode,
            InterceptPort = InterceptPort,
        };

        var roles = Role.Contains(AllRoles, StringComparer.OrdinalIgnoreCase)
            ? [HealthRole.Online, HealthRole.Target, HealthRole.Assistant]
            : Role.Select(r => Enum.Parse<HealthRole>(r, ignoreCase: true)).ToArray();

        var healthy = true;
        try
        {
            foreach (var result in ReplayHealth.Run(roles, options, _stopping.Token))
            {
                healthy &= result.Status != HealthStatus.Fail;
                if (Quiet)
                {
                    WriteVerbose($"{result.Name}: {result.Status}: {result.Detail}");
                }
                else
                {
                    WriteObject(result);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the command in flight was killed; the pipeline is stopping anyway.
            return;
        }

        if (Quiet)
        {
            WriteObject(healthy);
        }
    }

    // Ctrl+C kills the command or connect in flight instead of waiting out its time limit.
    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
