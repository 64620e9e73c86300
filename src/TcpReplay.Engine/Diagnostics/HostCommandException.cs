namespace TcpReplay.Engine.Diagnostics;

/// <summary>A host tool (ip, ethtool) failed, or did not finish in time; carries what it said.</summary>
public class HostCommandException : Exception
{
    public HostCommandException(string command, int? exitCode, string standardError, Exception? innerException = null)
        : base(BuildMessage(command, exitCode, standardError, innerException), innerException)
    {
        Command = command;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>The command line as a shell would read it.</summary>
    public string Command { get; }

    /// <summary>The tool's exit code; null when it could not be started or was killed at its time limit.</summary>
    public int? ExitCode { get; }

    /// <summary>What the tool wrote to standard error, trimmed; empty when it wrote nothing.</summary>
    public string StandardError { get; }

    private static string BuildMessage(string command, int? exitCode, string standardError, Exception? innerException)
    {
        var what = exitCode is { } code ? $"'{command}' failed with exit code {code}" : $"'{command}' did not complete";
        var why = standardError.Length > 0 ? standardError : innerException?.Message;
        return why is null ? $"{what}." : $"{what}: {why}";
    }
}
