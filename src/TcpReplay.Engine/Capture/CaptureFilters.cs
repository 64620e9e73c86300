using System.Globalization;
using System.Text;

namespace TcpReplay.Engine.Capture;

/// <summary>BPF filter expressions (pcap-filter(7)) for the captures TcpReplay opens.</summary>
public static class CaptureFilters
{
    /// <summary>
    /// Client packets toward the online service: <c>tcp dst port 8080 or tcp dst port 8443</c>, and with an address
    /// <c>dst host 198.18.0.20 and (tcp dst port 8080 or ...)</c>. Ports are sorted and deduplicated.
    /// </summary>
    /// <param name="ports">The service's TCP ports (at least one).</param>
    /// <param name="onlineAddress">Only packets to this IPv4 address (host-order number of the wire value), or any.</param>
    /// <exception cref="ArgumentException">No port, or port 0.</exception>
    public static string ForClientPorts(IEnumerable<ushort> ports, uint? onlineAddress = null)
    {
        var selection = PortList(ports, "tcp dst port");
        return onlineAddress is { } address ? $"dst host {FormatAddress(address)} and ({selection})" : selection;
    }

    /// <summary>
    /// Responses of the target service, captured by the intercept: <c>tcp src port 8080 or tcp src port 8443</c>.
    /// </summary>
    /// <exception cref="ArgumentException">No port, or port 0.</exception>
    public static string ForTargetResponses(IEnumerable<ushort> targetPorts) => PortList(targetPorts, "tcp src port");

    /// <summary>
    /// Every TCP packet but the intercept's own channel traffic: <c>tcp and not (dst port 36524 and (dst host
    /// 198.18.0.40))</c>. Only packets to the assistant's own addresses are left out, because a fake client may
    /// well use the channel's port number as its port (36524 is inside Linux's ephemeral range), and the target's
    /// answers to it must still be captured.
    /// </summary>
    /// <param name="channelPort">The intercept's listening port.</param>
    /// <param name="ownAddresses">The assistant's IPv4 addresses (host-order numbers); none: every packet to the port is left out.</param>
    public static string ForAllTargetResponses(int channelPort, IEnumerable<uint> ownAddresses)
    {
        ArgumentNullException.ThrowIfNull(ownAddresses);
        var port = channelPort.ToString(CultureInfo.InvariantCulture);
        var hosts = new StringBuilder();
        foreach (var address in new SortedSet<uint>(ownAddresses))
        {
            hosts.Append(hosts.Length > 0 ? " or " : string.Empty).Append("dst host ").Append(FormatAddress(address));
        }

        return hosts.Length == 0 ? $"tcp and not port {port}" : $"tcp and not (dst port {port} and ({hosts}))";
    }

    /// <summary>Dotted quad of a host-order address number, e.g. 0xC6120014 → "198.18.0.20".</summary>
    internal static string FormatAddress(uint address) => string.Create(
        CultureInfo.InvariantCulture,
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");

    internal static ushort[] SortedPorts(IEnumerable<ushort> ports, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(ports, parameterName);
        var sorted = new SortedSet<ushort>(ports);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("At least one TCP port is needed.", parameterName);
        }

        if (sorted.Contains(0))
        {
            throw new ArgumentException("TCP port 0 cannot be captured.", parameterName);
        }

        return [.. sorted];
    }

    private static string PortList(IEnumerable<ushort> ports, string primitive)
    {
        var builder = new StringBuilder();
        foreach (var port in SortedPorts(ports, nameof(ports)))
        {
            if (builder.Length > 0)
            {
                builder.Append(" or ");
            }

            builder.Append(primitive).Append(' ').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
