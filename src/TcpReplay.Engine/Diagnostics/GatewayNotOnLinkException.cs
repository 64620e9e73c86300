namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// A route's gateway is not a host on a directly connected network, so the kernel would reject the route;
/// thrown before anything runs, with whatIf too.
/// </summary>
public sealed class GatewayNotOnLinkException : Exception
{
    public GatewayNotOnLinkException(uint gateway, string? device, GatewayProblem problem, RouteEntry? kernelRoute)
        : base(Describe(gateway, device, problem, kernelRoute))
    {
        Gateway = gateway;
        Device = device;
        Problem = problem;
        KernelRoute = kernelRoute;
        Remedy = Advise(gateway, device, problem);
    }

    /// <summary>The gateway asked for, host order.</summary>
    public uint Gateway { get; }

    /// <summary>The interface asked for, or null.</summary>
    public string? Device { get; }

    public GatewayProblem Problem { get; }

    /// <summary>The route the kernel uses to reach the gateway (<c>ip route get</c>), or null when it has none.</summary>
    public RouteEntry? KernelRoute { get; }

    /// <summary>What to do about it, in a sentence.</summary>
    public string Remedy { get; }

    private static string Describe(uint gateway, string? device, GatewayProblem problem, RouteEntry? route)
    {
        var address = Addresses.ToText(gateway);
        return problem switch
        {
            GatewayProblem.NoRoute => $"The kernel has no route to {address}, so it cannot use it as a next hop.",
            GatewayProblem.ViaAnotherGateway =>
                $"{address} is not on a directly connected network: the kernel reaches it through the router {route?.Gateway} (dev {route?.Device}), and a next hop must be reachable directly.",
            GatewayProblem.LocalAddress => $"{address} is an address of this host; the next hop must be another host.",
            GatewayProblem.NotUnicast => $"{address} is a {route?.Type} address, not a host.",
            GatewayProblem.OtherDevice => $"{address} is directly connected through {route?.Device}, not through {device}.",
            _ => $"{address} cannot be a next hop ({problem}).",
        };
    }

    private static string Advise(uint gateway, string? device, GatewayProblem problem) => problem switch
    {
        GatewayProblem.LocalAddress => "Give the address of the other host (the assistant), not one of this host's addresses.",
        GatewayProblem.OtherDevice => $"Leave out the interface, or name the one on {Addresses.ToText(gateway)}'s network instead of {device}.",
        _ => $"Give an address on a network this host is directly connected to (see 'ip -br addr'), or connect this host to {Addresses.ToText(gateway)}'s network.",
    };
}
