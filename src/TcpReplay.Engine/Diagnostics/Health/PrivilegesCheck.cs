namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// Root, or CAP_NET_RAW (capture and send raw packets: every role) and CAP_NET_ADMIN (routes: Set-TargetRoute).
/// Catches: "Operation not permitted" when the copy or the intercept opens its sockets.
/// </summary>
public sealed class PrivilegesCheck : IHealthCheck
{
    internal const string Remedy = "Run PowerShell as root (sudo pwsh), or grant the capabilities to the runtime: setcap cap_net_raw,cap_net_admin+eip <path of dotnet>.";

    public string Name => "Privileges";

    public HealthRole Role => HealthRole.Host;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        var (status, detail) = Decide(Privileges.IsRoot, Privileges.HasCapability(LinuxCapability.NetRaw), Privileges.HasCapability(LinuxCapability.NetAdmin));
        return new HealthCheckResult(Name, Role, status, detail, status == HealthStatus.Pass ? null : Remedy);
    }

    /// <summary>The capabilities decide, not the user id: root without CAP_NET_RAW (a container's --cap-drop) still fails.</summary>
    internal static (HealthStatus Status, string Detail) Decide(bool isRoot, bool netRaw, bool netAdmin)
    {
        var who = isRoot ? "root" : "not root";
        return (netRaw, netAdmin) switch
        {
            (true, true) => (HealthStatus.Pass, $"{who}, with CAP_NET_RAW and CAP_NET_ADMIN."),
            (true, false) => (HealthStatus.Warning, $"{who}, with CAP_NET_RAW but without CAP_NET_ADMIN: capture and send work, Set-TargetRoute cannot change routes."),
            _ => (HealthStatus.Fail, $"{who}, without CAP_NET_RAW{(netAdmin ? string.Empty : " or CAP_NET_ADMIN")}: raw capture and send will be refused (Operation not permitted)."),
        };
    }
}
