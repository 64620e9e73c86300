namespace TcpReplay.Engine.Diagnostics;

/// <summary>The outcome of ensuring or removing a route.</summary>
/// <param name="Kind">What happened, or with whatIf what would happen.</param>
/// <param name="Before">Ensure: the route that decided the prefix before (the lowest metric in the main table), or null.
/// Remove: the route deleted, or null when none matched.</param>
/// <param name="After">The route that decides it afterwards: read back from the kernel, or with whatIf the expected one; null when none.</param>
/// <param name="Command">The exact command that ran (or would run with whatIf), quoted for a shell; empty when nothing had to run.</param>
public sealed record RouteChange(RouteChangeKind Kind, RouteEntry? Before, RouteEntry? After, string Command);
