namespace TcpReplay.Engine.Diagnostics;

/// <summary>What a route change will do, decided from the routes the kernel has; <see cref="Arguments"/> is empty when nothing has to run.</summary>
internal sealed record RoutePlan(RouteChangeKind Kind, RouteEntry? Before, RouteEntry? After, IReadOnlyList<string> Arguments);
