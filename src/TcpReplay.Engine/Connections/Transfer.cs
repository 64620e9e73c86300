using System.Globalization;
using System.Net;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// What to copy: client traffic to <see cref="OnlinePort"/> (on <see cref="OnlineAddress"/>, or on any local
/// address when it is 0) goes to <see cref="TargetAddress"/>:<see cref="TargetPort"/>.
/// </summary>
/// <remarks>Addresses are IPv4 as host-order numbers of the big-endian wire value.</remarks>
public sealed record Transfer(uint OnlineAddress, ushort OnlinePort, uint TargetAddress, ushort TargetPort)
{
    /// <summary>
    /// Parses tcpcopy's <c>-x</c> habit: <c>[onlineIP:]port-targetIP:targetPort</c>, for example
    /// <c>8080-198.18.0.30:8080</c> or <c>198.18.0.20:80-198.18.0.30:8080</c>.
    /// </summary>
    /// <returns>False with an explanation in <paramref name="error"/> when the text is not a transfer.</returns>
    public static bool TryParse(string? text, out Transfer? transfer, out string error)
    {
        transfer = null;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the transfer is empty";
            return false;
        }

        var dash = text.IndexOf('-');
        if (dash <= 0 || dash == text.Length - 1)
        {
            error = $"'{text}' has no '-' between the online side and the target (expected '[onlineIP:]port-targetIP:port', e.g. '8080-198.18.0.30:8080')";
            return false;
        }

        var online = text[..dash].Trim();
        var target = text[(dash + 1)..].Trim();
        uint onlineAddress = 0;
        var onlinePortText = online;
        var colon = online.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!TryParseAddress(online[..colon], out onlineAddress))
            {
                error = $"'{online[..colon]}' in '{text}' is not an IPv4 address";
                return false;
            }

            onlinePortText = online[(colon + 1)..];
        }

        if (!TryParsePort(onlinePortText, out var onlinePort))
        {
            error = $"'{onlinePortText}' in '{text}' is not a port (1-65535)";
            return false;
        }

        var targetColon = target.LastIndexOf(':');
        if (targetColon <= 0)
        {
            error = $"the target '{target}' in '{text}' needs an address and a port, e.g. 198.18.0.30:8080";
            return false;
        }

        if (!TryParseAddress(target[..targetColon], out var targetAddress) || targetAddress == 0)
        {
            error = $"'{target[..targetColon]}' in '{text}' is not an IPv4 address";
            return false;
        }

        if (!TryParsePort(target[(targetColon + 1)..], out var targetPort))
        {
            error = $"'{target[(targetColon + 1)..]}' in '{text}' is not a port (1-65535)";
            return false;
        }

        transfer = new Transfer(onlineAddress, onlinePort, targetAddress, targetPort);
        return true;
    }

    public IPAddress OnlineIPAddress => Addresses.ToIPAddress(OnlineAddress);

    public IPAddress TargetIPAddress => Addresses.ToIPAddress(TargetAddress);

    /// <summary>True when a client packet to this address and port belongs to this transfer.</summary>
    public bool Matches(uint destinationAddress, ushort destinationPort) =>
        destinationPort == OnlinePort && (OnlineAddress == 0 || OnlineAddress == destinationAddress);

    public override string ToString() =>
        (OnlineAddress == 0 ? "" : $"{OnlineIPAddress}:") + $"{OnlinePort}-{TargetIPAddress}:{TargetPort}";

    private static bool TryParseAddress(string text, out uint address)
    {
        address = 0;
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') != 3)
        {
            return false;
        }

        address = Addresses.FromIPAddress(ip);
        return true;
    }

    private static bool TryParsePort(string text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port != 0;
}
