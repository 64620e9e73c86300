using System.Net;
using System.Net.Sockets;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>A bounded TCP connect that reports why it failed in words instead of throwing.</summary>
internal static class TcpProbe
{
    /// <summary>Connects <paramref name="socket"/>; null on success, else what went wrong ("connection refused (RST)").</summary>
    public static string? Connect(Socket socket, IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            socket.ConnectAsync(endpoint, limit.Token).AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {timeout.TotalSeconds:0.#} s (a firewall drops the SYN, or no route)";
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (RST): nothing listens on that port, or a firewall rejects",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"unreachable ({exception.SocketErrorCode}): no route to it",
                _ => $"{exception.SocketErrorCode}: {exception.Message}",
            };
        }
    }
}
