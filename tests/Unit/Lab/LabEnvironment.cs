namespace TcpReplay.Engine.Tests.Lab;

/// <summary>What the lab tests need from the machine.</summary>
internal static class LabEnvironment
{
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>The system python (not a version manager's shim, whose PID would not be the interpreter's).</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>The first tool the lab needs that is not installed, or null.</summary>
    public static string? MissingTool { get; } = FindMissingTool();

    private static string? FindMissingTool()
    {
        foreach (var tool in new[] { "ip", "iptables", "ss" })
        {
            if (!OnPath(tool))
            {
                return tool;
            }
        }

        return File.Exists("/usr/bin/python3") || OnPath("python3") ? null : "python3";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Append("/sbin")
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
}
