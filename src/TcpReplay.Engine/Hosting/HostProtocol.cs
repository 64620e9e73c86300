using System.Reflection;

namespace TcpReplay.Engine.Hosting;

/// <summary>What the session and its copier process must agree on before the copy's options cross the pipe.</summary>
public static class HostProtocol
{
    /// <summary>
    /// The pipe's version, raised whenever a frame's layout changes. Version 1 had no hello and answered status
    /// requests; version 2 opens with hellos and pushes the status.
    /// </summary>
    public const int Version = 2;

    /// <summary>The build of this engine (its informational version), which a host names in its hello.</summary>
    public static string BuildIdentity { get; } =
        typeof(HostProtocol).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HostProtocol).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
