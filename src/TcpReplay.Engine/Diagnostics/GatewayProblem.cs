namespace TcpReplay.Engine.Diagnostics;

/// <summary>Why the kernel would refuse a gateway as the next hop of a route ("Error: Nexthop has invalid gateway").</summary>
public enum GatewayProblem
{
    /// <summary>The kernel has no route to the gateway at all.</summary>
    NoRoute,

    /// <summary>The gateway is reached only through another router: it is not on a directly connected network.</summary>
    ViaAnotherGateway,

    /// <summary>The gateway is one of this host's own addresses.</summary>
    LocalAddress,

    /// <summary>The gateway is a broadcast, multicast or otherwise non-host address.</summary>
    NotUnicast,

    /// <summary>The gateway is directly connected, but through another interface than the one asked for.</summary>
    OtherDevice,
}
