using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// Each intercept accepts a TCP connection, takes the 14-byte hello (ClientRecord.Hello) and keeps the link up.
/// Catches: Start-Intercept not running, a firewall on port 36524, something else on that port.
/// </summary>
public sealed class InterceptReachableCheck : IHealthCheck
{
    public string Name => "InterceptReachable";

    public HealthRole Role => HealthRole.Online;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        if (options.InterceptServers.Count == 0)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Skipped, "No -InterceptServer given.");
        }

        var passed = new List<string>();
        foreach (var server in options.InterceptServers)
        {
            var (ok, detail) = Probe(server, options.ConnectTimeout, options.HelloGrace, cancellationToken);
            if (!ok)
            {
                return new HealthCheckResult(Name, Role, HealthStatus.Fail, detail,
                    $"On the assistant {server.Address}: Start-Intercept -Interface <interface> -Port {server.Port}; and let TCP port {server.Port} through its firewall.");
            }

            passed.Add(detail);
        }

        return new HealthCheckResult(Name, Role, HealthStatus.Pass, string.Join(" ", passed));
    }

    private static (bool Ok, string Detail) Probe(IPEndPoint server, TimeSpan connectTimeout, TimeSpan grace, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connect = TcpProbe.Connect(socket, server, connectTimeout, cancellationToken);
        if (connect is not null)
        {
            return (false, $"The intercept at {server} cannot be reached: {connect}.");
        }

        try
        {
            Span<byte> hello = stackalloc byte[ChannelProtocol.ClientRecordSize];
            ClientRecord.Hello.WriteTo(hello);
            socket.Send(hello);

            // An intercept answers nothing to the hello; a peer that refuses the protocol closes or resets the link.
            if (socket.Poll((int)grace.TotalMicroseconds, SelectMode.SelectRead))
            {
                Span<byte> buffer = stackalloc byte[64];
                var read = socket.Receive(buffer);
                if (read == 0)
                {
                    return (false, $"{server} accepted the connection but closed it after the hello: not an intercept, or one that refuses this copier.");
                }
            }

            return (true, $"{server} accepted the channel's hello (version {ChannelProtocol.InternalVersion}) and kept the link up: an intercept "
                + "speaking intercept 1.x's protocol listens there (Start-Intercept or C intercept 1.x).");
        }
        catch (SocketException exception)
        {
            return (false, $"{server} accepted the connection, then failed the hello: {exception.SocketErrorCode}.");
        }
    }
}
