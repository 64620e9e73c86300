using System.ComponentModel;
using System.Text.Json;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// Reads and changes IPv4 routes of the main table with iproute2, in this process's network namespace or a named
/// one. Changes are idempotent and report the exact command, so a preview (whatIf) shows what a run would do.
/// </summary>
public static class KernelRouteTable
{
    private const string Ip = "ip";
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(10);

    /// <summary>The routes of the main table (<c>ip -j route show</c>).</summary>
    /// <exception cref="RouteCommandException">ip failed, is not installed, or printed something unreadable.</exception>
    public static IReadOnlyList<RouteEntry> List() => List(null);

    /// <inheritdoc cref="List()"/>
    /// <param name="networkNamespace">A namespace under /run/netns; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the ip command in flight.</param>
    public static IReadOnlyList<RouteEntry> List(string? networkNamespace, CancellationToken cancellationToken = default) =>
        RunQuery(["-j", "route", "show", "table", "main"], networkNamespace, cancellationToken) ?? [];

    /// <summary>
    /// The route the kernel would use to reach <paramref name="destination"/> (host order), as <c>ip route get</c>
    /// resolves it: <see cref="RouteEntry.Destination"/> is the address itself, <see cref="RouteEntry.Gateway"/> is
    /// null when it is directly connected, and <see cref="RouteEntry.Type"/> is "local" for this host's own addresses.
    /// Null when the kernel has no usable route (unreachable, blackhole, prohibit).
    /// </summary>
    /// <exception cref="RouteCommandException">ip failed for another reason, or is not installed.</exception>
    public static RouteEntry? Lookup(uint destination) => Lookup(destination, null);

    /// <inheritdoc cref="Lookup(uint)"/>
    /// <param name="destination">The address, host order.</param>
    /// <param name="networkNamespace">A namespace under /run/netns; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the ip command in flight.</param>
    public static RouteEntry? Lookup(uint destination, string? networkNamespace, CancellationToken cancellationToken = default) =>
        RunQuery(["-j", "route", "get", Addresses.ToText(destination)], networkNamespace, cancellationToken)?.FirstOrDefault();

    /// <summary>
    /// Makes <paramref name="destination"/> (host bits ignored) route via <paramref name="gateway"/>: Unchanged when it
    /// already does, Replaced (<c>ip route replace</c>) when the prefix goes elsewhere, Added when it has no route.
    /// </summary>
    /// <param name="destination">The network to route; its host bits are cleared.</param>
    /// <param name="gateway">The next hop, host order; it must be a host on a directly connected network.</param>
    /// <param name="device">The interface to use, or null for the one the kernel reaches the gateway through.</param>
    /// <param name="whatIf">True to decide and report the change without making it.</param>
    /// <exception cref="GatewayNotOnLinkException">The kernel would refuse the gateway (checked with whatIf too).</exception>
    /// <exception cref="RouteCommandException">ip failed; its standard error says why.</exception>
    public static RouteChange Ensure(IPv4Network destination, uint gateway, string? device, bool whatIf) =>
        Ensure(destination, gateway, device, whatIf, null);

    /// <inheritdoc cref="Ensure(IPv4Network, uint, string?, bool)"/>
    /// <param name="destination">The network to route; its host bits are cleared.</param>
    /// <param name="gateway">The next hop, host order; it must be a host on a directly connected network.</param>
    /// <param name="device">The interface to use, or null for the one the kernel reaches the gateway through.</param>
    /// <param name="whatIf">True to decide and report the change without making it.</param>
    /// <param name="networkNamespace">A namespace under /run/netns; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the ip command in flight.</param>
    public static RouteChange Ensure(
        IPv4Network destination, uint gateway, string? device, bool whatIf, string? networkNamespace, CancellationToken cancellationToken = default)
    {
        if (device is not null)
        {
            LinuxNames.ThrowIfInvalidInterfaceName(device, nameof(device));
        }

        var gatewayRoute = Lookup(gateway, networkNamespace, cancellationToken);
        if (RoutePlanner.CheckGateway(gatewayRoute, device) is { } problem)
        {
            throw new GatewayNotOnLinkException(gateway, device, problem, gatewayRoute);
        }

        var existing = ShowExact(destination, networkNamespace, cancellationToken);
        var plan = RoutePlanner.PlanEnsure(destination, gateway, device ?? gatewayRoute!.Device!, existing);
        return Apply(plan, destination, whatIf, networkNamespace, cancellationToken);
    }

    /// <summary>
    /// Deletes the route of <paramref name="destination"/> (host bits ignored) through <paramref name="gateway"/>,
    /// or through any gateway when it is null: Removed, or Absent when there is none. Routes without a gateway
    /// (connected networks, blackholes) are left alone.
    /// </summary>
    /// <param name="destination">The network; its host bits are cleared.</param>
    /// <param name="gateway">Only a route via this next hop (host order), or null for any.</param>
    /// <param name="whatIf">True to decide and report the change without making it.</param>
    /// <exception cref="RouteCommandException">ip failed; its standard error says why.</exception>
    public static RouteChange Remove(IPv4Network destination, uint? gateway, bool whatIf) =>
        Remove(destination, gateway, whatIf, null);

    /// <inheritdoc cref="Remove(IPv4Network, uint?, bool)"/>
    /// <param name="destination">The network; its host bits are cleared.</param>
    /// <param name="gateway">Only a route via this next hop (host order), or null for any.</param>
    /// <param name="whatIf">True to decide and report the change without making it.</param>
    /// <param name="networkNamespace">A namespace under /run/netns; null for the one this process runs in.</param>
    /// <param name="cancellationToken">Stops the ip command in flight.</param>
    public static RouteChange Remove(
        IPv4Network destination, uint? gateway, bool whatIf, string? networkNamespace, CancellationToken cancellationToken = default)
    {
        var plan = RoutePlanner.PlanRemove(destination, gateway, ShowExact(destination, networkNamespace, cancellationToken));
        return Apply(plan, destination, whatIf, networkNamespace, cancellationToken);
    }

    private static RouteChange Apply(RoutePlan plan, IPv4Network destination, bool whatIf, string? networkNamespace, CancellationToken cancellationToken)
    {
        if (plan.Arguments.Count == 0)
        {
            return new RouteChange(plan.Kind, plan.Before, plan.After, string.Empty);
        }

        var command = ExternalCommand.Format(Ip, plan.Arguments, networkNamespace);
        if (whatIf)
        {
            return new RouteChange(plan.Kind, plan.Before, plan.After, command);
        }

        var (exitCode, _, stderr) = RunIp(plan.Arguments, command, networkNamespace, cancellationToken);
        if (exitCode != 0)
        {
            throw new RouteCommandException(command, exitCode, stderr.Trim());
        }

        var after = RoutePlanner.Effective(ShowExact(destination, networkNamespace, cancellationToken), RoutePlanner.DestinationText(destination));
        return new RouteChange(plan.Kind, plan.Before, after, command);
    }

    private static List<RouteEntry> ShowExact(IPv4Network destination, string? networkNamespace, CancellationToken cancellationToken) =>
        RunQuery(["-j", "route", "show", "table", "main", "exact", destination.Canonical.ToString()], networkNamespace, cancellationToken) ?? [];

    /// <summary>Runs an ip query; null when the kernel refused it ("RTNETLINK answers: Network is unreachable").</summary>
    private static List<RouteEntry>? RunQuery(string[] args, string? networkNamespace, CancellationToken cancellationToken)
    {
        var command = ExternalCommand.Format(Ip, args, networkNamespace);
        var (exitCode, stdout, stderr) = RunIp(args, command, networkNamespace, cancellationToken);
        if (exitCode != 0)
        {
            // ip relays the kernel's own refusal this way; anything else is ip failing (bad arguments, no netns).
            if (stderr.StartsWith("RTNETLINK answers:", StringComparison.Ordinal))
            {
                return null;
            }

            throw new RouteCommandException(command, exitCode, stderr.Trim());
        }

        try
        {
            return IpJson.ParseRoutes(stdout);
        }
        catch (JsonException exception)
        {
            throw new RouteCommandException(command, exitCode, string.Empty, exception);
        }
    }

    private static (int ExitCode, string StdOut, string StdErr) RunIp(
        IReadOnlyList<string> args, string command, string? networkNamespace, CancellationToken cancellationToken)
    {
        try
        {
            return ExternalCommand.Run(Ip, args, CommandLimit, networkNamespace, cancellationToken);
        }
        catch (Exception exception) when (exception is Win32Exception or TimeoutException)
        {
            throw new RouteCommandException(command, null, string.Empty, exception);
        }
    }
}
