using System.Management.Automation;
using System.Net;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Parses the parameters Start-TcpCopy and Test-ReplayHealth share, so both accept the same texts and refuse bad
/// ones with the same ErrorIds (InvalidTransfer, InvalidFakeClientAddress, InvalidInterceptServer) and fixes.
/// </summary>
internal static class CopyParameters
{
    /// <summary>tcpcopy's <c>-x</c> habit: several transfers, or one string with commas.</summary>
    public static List<Transfer> ParseTransfers(Cmdlet cmdlet, IEnumerable<string> texts)
    {
        var result = new List<Transfer>();
        foreach (var text in texts.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Transfer.TryParse(text, out var transfer, out var error))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create($"Invalid transfer: {error}.", "InvalidTransfer", ErrorCategory.InvalidArgument, text,
                    "Write each transfer as '[onlineIP:]port-targetIP:targetPort', for example '8080-198.18.0.30:8080'."));
            }

            result.Add(transfer!);
        }

        return result;
    }

    public static List<IPv4Network> ParseFakeNetworks(Cmdlet cmdlet, IEnumerable<string> texts)
    {
        var result = new List<IPv4Network>();
        foreach (var text in texts)
        {
            if (!IPv4Network.TryParse(text, out var network))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create($"'{text}' is not an IPv4 address or network.", "InvalidFakeClientAddress", ErrorCategory.InvalidArgument, text,
                    "Give an address or a network in CIDR form, for example 198.19.0.0/24, that the target routes via the assistant."));
            }

            result.Add(network);
        }

        return result;
    }

    /// <summary>Assistant addresses, optionally with the channel port (default 36524).</summary>
    public static List<IPEndPoint> ParseInterceptServers(Cmdlet cmdlet, IEnumerable<string> texts)
    {
        var result = new List<IPEndPoint>();
        foreach (var text in texts)
        {
            if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create($"'{text}' is not an intercept address.", "InvalidInterceptServer", ErrorCategory.InvalidArgument, text,
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
