using System.Management.Automation;
using System.Net;
using TcpReplay.Engine;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Diagnostics.Health;
using TcpReplay.Engine.Sessions;

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
            Transfers = ParseTransfers(),
            InterceptServers = ParseInterceptServers(),
            FakeClientNetworks = ParseFakeNetworks(),
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

    private List<Transfer> ParseTransfers()
    {
        var result = new List<Transfer>();
        foreach (var text in Transfer.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Engine.Sessions.Transfer.TryParse(text, out var transfer, out var error))
            {
                ThrowTerminatingError(ErrorRecords.Create($"Invalid transfer: {error}.", "InvalidTransfer", ErrorCategory.InvalidArgument, text,
                    "Write each transfer as '[onlineIP:]port-targetIP:targetPort', for example '8080-198.18.0.30:8080'."));
            }

            result.Add(transfer!);
        }

        return result;
    }

    private List<IPv4Network> ParseFakeNetworks()
    {
        var result = new List<IPv4Network>();
        foreach (var text in FakeClientAddress)
        {
            if (!IPv4Network.TryParse(text, out var network))
            {
                ThrowTerminatingError(ErrorRecords.Create($"'{text}' is not an IPv4 address or network.", "InvalidFakeClientAddress", ErrorCategory.InvalidArgument, text,
                    "Give an address or a network in CIDR form, for example 198.19.0.0/24."));
            }

            result.Add(network);
        }

        return result;
    }

    private List<IPEndPoint> ParseInterceptServers()
    {
        var result = new List<IPEndPoint>();
        foreach (var text in InterceptServer)
        {
            if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                ThrowTerminatingError(ErrorRecords.Create($"'{text}' is not an intercept address.", "InvalidInterceptServer", ErrorCategory.InvalidArgument, text,
                    $"Give the assistant's IPv4 address, optionally with the port: 198.18.0.40 or 198.18.0.40:{ChannelProtocol.DefaultPort}."));
            }

            if (endpoint!.Port == 0)
            {
                endpoint.Port = ChannelProtocol.DefaultPort;
            }

            result.Add(endpoint);
        }

        return result;
    }
}
