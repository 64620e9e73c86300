namespace TcpReplay.Engine.Diagnostics;

/// <summary>What <see cref="KernelRouteTable.Ensure(IPv4Network, uint, string?, bool)"/> or <see cref="KernelRouteTable.Remove(IPv4Network, uint?, bool)"/> did (or would do).</summary>
public enum RouteChangeKind
{
    /// <summary>The route was already as asked; nothing ran.</summary>
    Unchanged,

    /// <summary>There was no route for the prefix; one was added.</summary>
    Added,

    /// <summary>The prefix was routed elsewhere (another gateway or device, or a blackhole); that route was replaced.</summary>
    Replaced,

    /// <summary>The route was deleted.</summary>
    Removed,

    /// <summary>There was no matching route to delete; nothing ran.</summary>
    Absent,
}
