using System.Net;
using System.Net.Sockets;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// The target's port accepts a TCP connection from the online host. Catches: every copied handshake failing with
/// TargetRefused (the service under test is not running, or a firewall rejects).
/// </summary>
public sealed class TargetPortCheck : IHealthCheck
{
    public string Name => "TargetPortOpen";

    public HealthRole Role => HealthRole.Online;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.Transfers.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -Transfer given: no target to connect to.");
        }

        var opened = new List<string>();
        foreach (var (address, port) in options.Transfers.Select(t => (t.TargetAddress, t.TargetPort)).Distinct())
        {
            var endpoint = new IPEndPoint(Addresses.ToIPAddress(address), port);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            if (TcpProbe.Connect(socket, endpoint, options.ConnectTimeout, cancellationToken) is { } failure)
            {
                return new HealthCheckResult(Name, Role, HealthStatus.Fail, $"The target {endpoint} does not accept connections: {failure}.",
                    $"On the target: start the service under test on port {port} ('ss -ltn' there shows it), and let TCP port {port} through its firewall (iptables -S INPUT); or correct -Transfer.");
            }

            opened.Add(endpoint.ToString());
        }

        return new HealthCheckResult(Name, Role, HealthStatus.Pass, $"{string.Join(", ", opened)} accepted a connection.");
    }
}
