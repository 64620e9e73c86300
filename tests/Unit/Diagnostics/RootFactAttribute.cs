using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

/// <summary>
/// A fact that needs root and iproute2: it creates network namespaces. Elsewhere it is reported as skipped, with the
/// reason, rather than passing without having run.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = "Needs root: the test creates its own network namespace.";
        }
        else if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/bin/ip"))
        {
            Skip = "Needs iproute2 (ip).";
        }
    }
}
