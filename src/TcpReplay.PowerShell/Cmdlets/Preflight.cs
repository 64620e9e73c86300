using System.Management.Automation;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Host checks every capturing cmdlet makes before it starts anything, each failing with its own ErrorId and fix.</summary>
internal static class Preflight
{
    public static ErrorRecord? CheckPrivileges(string target) =>
        Privileges.CanCaptureAndSend
            ? null
            : ErrorRecords.Create("Capturing and sending raw packets needs root or the CAP_NET_RAW capability, which this process does not have.",
                "NotPermitted", ErrorCategory.PermissionDenied, target,
                "Run PowerShell as root (sudo pwsh), or grant the capabilities to the runtime: setcap cap_net_raw,cap_net_admin+eip <path of dotnet>.");

    /// <summary>A negative nice value needs CAP_SYS_NICE; zero or a positive one anybody may set.</summary>
    public static ErrorRecord? CheckNice(int nice, string target) =>
        nice >= 0 || Privileges.CanRaisePriority
            ? null
            : ErrorRecords.Create($"-Nice {nice} raises the copier's thread priority, which needs root or the CAP_SYS_NICE capability, which this process does not have.",
                "NiceNotPermitted", ErrorCategory.PermissionDenied, target,
                "Run PowerShell as root (sudo pwsh), grant CAP_SYS_NICE to the runtime (setcap cap_sys_nice+eip <path of dotnet>), or leave -Nice at 0.");

    public static ErrorRecord? CheckLibPcap(string target)
    {
        var libpcap = LibPcapProbe.Probe();
        return libpcap.IsAvailable
            ? null
            : ErrorRecords.Create("libpcap is not installed, or could not be loaded: datalink capture and injection need it.",
                "LibPcapNotFound", ErrorCategory.NotInstalled, target, libpcap.Remedy);
    }

    public static ErrorRecord? CheckInterface(string name)
    {
        if (name == "any" || NetworkInterfaces.Find(name) is not null)
        {
            return null;
        }

        var known = string.Join(", ", NetworkInterfaces.List().Select(n => n.Name));
        return ErrorRecords.Create($"There is no network interface '{name}' on this host (in this network namespace).",
            "InterfaceNotFound", ErrorCategory.ObjectNotFound, name,
            $"Use one of: {known} ('ip link' lists them), or 'any' to capture on all.");
    }
}
