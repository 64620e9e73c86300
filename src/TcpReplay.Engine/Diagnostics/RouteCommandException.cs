namespace TcpReplay.Engine.Diagnostics;

/// <summary>An <c>ip route</c> command failed; <see cref="HostCommandException.StandardError"/> holds ip's own explanation.</summary>
public sealed class RouteCommandException : HostCommandException
{
    public RouteCommandException(string command, int? exitCode, string standardError, Exception? innerException = null)
        : base(command, exitCode, standardError, innerException)
    {
    }
}
