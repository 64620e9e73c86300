using System.ComponentModel;
using System.Globalization;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>Reads kernel settings under /proc/sys, of this process's network namespace or of a named one.</summary>
public static class Sysctl
{
    private const string Root = "/proc/sys/";
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(5);

    /// <summary>net.ipv4.ip_forward: true when the host forwards IPv4. Null when it cannot be read.</summary>
    /// <remarks>An assistant must not forward: it would route the target's answers on to the fake clients.</remarks>
    public static bool? IpForwarding => ReadIpForwarding(null);

    /// <summary>
    /// The value of a setting, trimmed; null when the setting does not exist or cannot be read.
    /// </summary>
    /// <param name="key">"net.ipv4.ip_forward" as sysctl(8) writes it, or with '/' separators
    /// ("net/ipv4/conf/eth0.100/rp_filter"), the form to use when a component (a VLAN interface) contains a dot.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or has an empty, "." or ".." component.</exception>
    public static string? Read(string key) => Read(key, null);

    /// <inheritdoc cref="Read(string)"/>
    /// <param name="key">The setting, as for <see cref="Read(string)"/>.</param>
    /// <param name="networkNamespace">A namespace under /run/netns to read in; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the <c>ip netns exec</c> in flight.</param>
    public static string? Read(string key, string? networkNamespace, CancellationToken cancellationToken = default)
    {
        var path = ToPath(key);
        if (networkNamespace is null)
        {
            try
            {
                return File.ReadAllText(path).Trim();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        try
        {
            var (exitCode, stdout, _) = ExternalCommand.Run("cat", [path], CommandLimit, networkNamespace, cancellationToken);
            return exitCode == 0 ? stdout.Trim() : null;
        }
        catch (Exception exception) when (exception is Win32Exception or TimeoutException)
        {
            return null;
        }
    }

    /// <inheritdoc cref="IpForwarding"/>
    /// <param name="networkNamespace">A namespace under /run/netns to read in; null for the one this process runs in.</param>
    public static bool? ReadIpForwarding(string? networkNamespace) =>
        ParseInt(Read("net.ipv4.ip_forward", networkNamespace)) is { } value ? value != 0 : null;

    /// <summary>
    /// The reverse-path filter the kernel applies on <paramref name="interfaceName"/>: 0 off, 1 strict, 2 loose.
    /// Null when the interface has no such setting (it does not exist).
    /// </summary>
    /// <remarks>
    /// The kernel uses the larger of conf.all.rp_filter and conf.&lt;interface&gt;.rp_filter (ip-sysctl.rst),
    /// so "all=1" makes every interface strict whatever its own value says.
    /// </remarks>
    public static int? ReversePathFilter(string interfaceName) => ReversePathFilter(interfaceName, null);

    /// <inheritdoc cref="ReversePathFilter(string)"/>
    /// <param name="interfaceName">The interface.</param>
    /// <param name="networkNamespace">A namespace under /run/netns to read in; null for the one this process runs in.</param>
    public static int? ReversePathFilter(string interfaceName, string? networkNamespace)
    {
        LinuxNames.ThrowIfInvalidInterfaceName(interfaceName, nameof(interfaceName));
        var own = ParseInt(Read($"net/ipv4/conf/{interfaceName}/rp_filter", networkNamespace));
        if (own is null)
        {
            return null;
        }

        var all = ParseInt(Read("net/ipv4/conf/all/rp_filter", networkNamespace));
        return Math.Max(own.Value, all ?? 0);
    }

    internal static string ToPath(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var components = key.Contains('/') ? key.Split('/') : key.Split('.');
        if (components.Any(c => c.Length == 0 || c is "." or ".."))
        {
            throw new ArgumentException($"'{key}' is not a sysctl key such as net.ipv4.ip_forward.", nameof(key));
        }

        return Root + string.Join('/', components);
    }

    private static int? ParseInt(string? text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}
