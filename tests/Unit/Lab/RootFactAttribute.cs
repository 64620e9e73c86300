namespace TcpReplay.Engine.Tests.Lab;

/// <summary>
/// A fact that needs root (network namespaces, raw sockets, libpcap): skipped, with the reason, when the tests do
/// not run as root.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!LabEnvironment.IsRoot)
        {
            Skip = "Needs root: creates network namespaces and opens raw sockets and libpcap handles.";
        }
        else if (LabEnvironment.MissingTool is { } tool)
        {
            Skip = $"Needs '{tool}' for the lab (install iproute2, iptables, python3).";
        }
    }
}
