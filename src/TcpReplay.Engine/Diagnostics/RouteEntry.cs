namespace TcpReplay.Engine.Diagnostics;

/// <summary>One IPv4 route as <c>ip -j route</c> reports it.</summary>
/// <param name="Destination">"198.19.0.0/16", a bare address for a /32 (as ip prints it), or "default".
/// For <see cref="KernelRouteTable.Lookup(uint)"/> it is the address looked up.</param>
/// <param name="Gateway">The next hop ("via"), or null for a directly connected destination.</param>
/// <param name="Device">The output interface ("dev"); null for routes without one (blackhole, unreachable).</param>
/// <param name="Protocol">Who installed it ("kernel", "static", "dhcp"); null for "boot", which ip leaves out and which <c>ip route add</c> uses.</param>
/// <param name="Metric">The priority (lower wins); null when 0, which ip leaves out.</param>
/// <param name="PreferredSource">The source address the kernel picks ("src"), or null.</param>
/// <param name="Table">"main" unless ip says otherwise ("local" for local and broadcast routes).</param>
/// <param name="Type">"unicast", or "local", "broadcast", "blackhole", "unreachable", "prohibit", ...</param>
public sealed record RouteEntry(
    string Destination,
    string? Gateway,
    string? Device,
    string? Protocol,
    int? Metric,
    string? PreferredSource,
    string Table,
    string Type = RouteEntry.Unicast)
{
    /// <summary>The <see cref="Type"/> of an ordinary route to hosts (ip leaves the type out for these).</summary>
    public const string Unicast = "unicast";

    /// <summary>The <see cref="Type"/> of a route to one of this host's own addresses.</summary>
    public const string Local = "local";
}
