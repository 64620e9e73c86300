namespace TcpReplay.Engine.Hosting;

/// <summary>The copier host speaks another pipe protocol than this engine: they come from different builds.</summary>
public sealed class CopierHostMismatchException : InvalidOperationException
{
    public CopierHostMismatchException(string hostPath, int hostVersion, string hostBuild)
        : base($"The copier host {hostPath} speaks host protocol {hostVersion} (build {hostBuild}), but this module speaks host protocol " +
               $"{HostProtocol.Version} (build {HostProtocol.BuildIdentity}): the two come from different builds.")
    {
        HostPath = hostPath;
        HostVersion = hostVersion;
        HostBuild = hostBuild;
    }

    public string HostPath { get; }

    /// <summary>The protocol version the host announced.</summary>
    public int HostVersion { get; }

    /// <summary>The build the host announced.</summary>
    public string HostBuild { get; }

    /// <summary>The protocol version this engine speaks.</summary>
    public static int ExpectedVersion => HostProtocol.Version;
}
