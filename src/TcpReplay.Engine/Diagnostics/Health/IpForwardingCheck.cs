namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// On the assistant, net.ipv4.ip_forward is 0. Catches: the assistant routing the target's answers on toward the
/// fake client addresses (or back to real hosts that reset them) instead of only capturing them.
/// </summary>
public sealed class IpForwardingCheck : IHealthCheck
{
    public string Name => "IpForwarding";

    public HealthRole Role => HealthRole.Assistant;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        var (status, detail) = Decide(Sysctl.ReadIpForwarding(null));
        return new HealthCheckResult(Name, Role, status, detail,
            status == HealthStatus.Pass ? null : "On the assistant: sysctl -w net.ipv4.ip_forward=0 (and net.ipv4.ip_forward = 0 in /etc/sysctl.conf so it lasts).");
    }

    internal static (HealthStatus Status, string Detail) Decide(bool? forwarding) => forwarding switch
    {
        false => (HealthStatus.Pass, "net.ipv4.ip_forward = 0: the target's answers are captured and go no further."),
        true => (HealthStatus.Fail, "net.ipv4.ip_forward = 1: the assistant forwards the target's answers toward the fake clients instead of only capturing them (Start-Intercept refuses to start)."),
        null => (HealthStatus.Warning, "Unknown: /proc/sys/net/ipv4/ip_forward cannot be read."),
    };
}
