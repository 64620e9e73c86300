using System.Net;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.PowerShell;

/// <summary>The route of one fake client network on the target, as Set-TargetRoute or Remove-TargetRoute left it.</summary>
public sealed class RouteInfo
{
    internal RouteInfo(IPv4Network fakeClientNetwork, IPAddress? assistant, string? device, RouteChange change)
    {
        FakeClientNetwork = fakeClientNetwork;
        Assistant = assistant;
        Device = device;
        Change = change.Kind;
        Command = change.Command;
        Previous = change.Before;
        Current = change.After;
    }

    /// <summary>The network the target's answers go to, host bits cleared ("198.19.0.0/16").</summary>
    public IPv4Network FakeClientNetwork { get; }

    /// <summary>The next hop of the route: the assistant that captures the target's answers.</summary>
    public IPAddress? Assistant { get; }

    /// <summary>The interface the route leaves by.</summary>
    public string? Device { get; }

    /// <summary>What happened: Added, Replaced, Unchanged, Removed or Absent.</summary>
    public RouteChangeKind Change { get; }

    /// <summary>The ip command that ran; empty when nothing had to change.</summary>
    public string Command { get; }

    /// <summary>The route before: the one replaced or removed, or null when there was none.</summary>
    public RouteEntry? Previous { get; }

    /// <summary>The route that decides the network now, read back from the kernel; null when there is none.</summary>
    public RouteEntry? Current { get; }
}
