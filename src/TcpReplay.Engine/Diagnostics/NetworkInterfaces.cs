using System.ComponentModel;
using System.Text.Json;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// The interfaces of this host, or of a named network namespace, from <c>ip -j addr</c>, with offloads from
/// <c>ethtool -k</c> when ethtool is installed.
/// </summary>
/// <remarks>
/// ip answers for the network namespace it runs in, so one code path serves the host and <c>ip netns exec</c>;
/// /sys/class/net would not, as it shows the namespace of whoever mounted /sys.
/// </remarks>
public static class NetworkInterfaces
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(10);
    private static readonly string[] EthtoolLocations = ["/usr/sbin/ethtool", "/sbin/ethtool", "/usr/bin/ethtool", "/bin/ethtool"];

    /// <summary>The interface named <paramref name="name"/>, or null when there is none.</summary>
    /// <exception cref="HostCommandException">ip failed or is not installed.</exception>
    public static NetworkInterfaceFacts? Find(string name) => Find(name, null);

    /// <inheritdoc cref="Find(string)"/>
    /// <param name="name">The interface name.</param>
    /// <param name="networkNamespace">A namespace under /run/netns to look in; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the ip and ethtool commands in flight.</param>
    public static NetworkInterfaceFacts? Find(string name, string? networkNamespace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = ReadAll(networkNamespace, cancellationToken).Find(i => i.Name == name);
        return found is null ? null : WithOffloads(found, networkNamespace, cancellationToken);
    }

    /// <summary>Every interface, in ifindex order.</summary>
    /// <exception cref="HostCommandException">ip failed or is not installed.</exception>
    public static IReadOnlyList<NetworkInterfaceFacts> List() => List(null);

    /// <inheritdoc cref="List()"/>
    /// <param name="networkNamespace">A namespace under /run/netns to look in; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the ip and ethtool commands in flight.</param>
    public static IReadOnlyList<NetworkInterfaceFacts> List(string? networkNamespace, CancellationToken cancellationToken = default) =>
        ReadAll(networkNamespace, cancellationToken).Select(i => WithOffloads(i, networkNamespace, cancellationToken)).ToList();

    /// <summary>The interface that holds <paramref name="address"/> (host order) as one of its own addresses, or null.</summary>
    /// <exception cref="HostCommandException">ip failed or is not installed.</exception>
    public static NetworkInterfaceFacts? FindByAddress(uint address) => FindByAddress(address, null);

    /// <inheritdoc cref="FindByAddress(uint)"/>
    /// <param name="address">The address, host order.</param>
    /// <param name="networkNamespace">A namespace under /run/netns to look in; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the ip and ethtool commands in flight.</param>
    public static NetworkInterfaceFacts? FindByAddress(uint address, string? networkNamespace, CancellationToken cancellationToken = default)
    {
        var found = ReadAll(networkNamespace, cancellationToken).Find(i => i.Addresses.Any(a => a.Address == address));
        return found is null ? null : WithOffloads(found, networkNamespace, cancellationToken);
    }

    /// <summary>As <see cref="Find(string, string?, CancellationToken)"/>, without running ethtool (offloads stay null).</summary>
    internal static NetworkInterfaceFacts? FindWithoutOffloads(string name, string? networkNamespace, CancellationToken cancellationToken) =>
        ReadAll(networkNamespace, cancellationToken).Find(i => i.Name == name);

    private static List<NetworkInterfaceFacts> ReadAll(string? networkNamespace, CancellationToken cancellationToken)
    {
        string[] args = ["-j", "addr", "show"];
        var command = ExternalCommand.Format("ip", args, networkNamespace);
        try
        {
            var (exitCode, stdout, stderr) = ExternalCommand.Run("ip", args, CommandLimit, networkNamespace, cancellationToken);
            if (exitCode != 0)
            {
                throw new HostCommandException(command, exitCode, stderr.Trim());
            }

            return IpJson.ParseInterfaces(stdout);
        }
        catch (Exception exception) when (exception is Win32Exception or TimeoutException or JsonException)
        {
            throw new HostCommandException(command, null, string.Empty, exception);
        }
    }

    private static NetworkInterfaceFacts WithOffloads(NetworkInterfaceFacts facts, string? networkNamespace, CancellationToken cancellationToken)
    {
        var ethtool = Array.Find(EthtoolLocations, File.Exists);
        if (ethtool is null || !LinuxNames.IsValidInterfaceName(facts.Name))
        {
            return facts;
        }

        try
        {
            var (exitCode, stdout, _) = ExternalCommand.Run(ethtool, ["-k", facts.Name], CommandLimit, networkNamespace, cancellationToken);
            if (exitCode != 0)
            {
                return facts;
            }

            return facts with
            {
                GenericReceiveOffload = EthtoolFeatures.Find(stdout, EthtoolFeatures.GenericReceiveOffload),
                LargeReceiveOffload = EthtoolFeatures.Find(stdout, EthtoolFeatures.LargeReceiveOffload),
                TcpSegmentationOffload = EthtoolFeatures.Find(stdout, EthtoolFeatures.TcpSegmentationOffload),
                TransmitChecksumOffload = EthtoolFeatures.Find(stdout, EthtoolFeatures.TransmitChecksumming),
            };
        }
        catch (Exception exception) when (exception is Win32Exception or TimeoutException)
        {
            // Offloads are advice, not facts the callers depend on: unknown (null) is the honest answer.
            return facts;
        }
    }
}
