using System.ComponentModel;
using System.Diagnostics;

namespace TcpReplay.Engine.Transmit;

/// <summary>Runs a short helper command (ip) with a time limit, killing it when the limit passes.</summary>
/// <remarks>
/// The child is forked from the calling thread, so it runs in that thread's network namespace: what it reports is
/// about the namespace the sender was opened and used in.
/// </remarks>
internal static class BoundedProcess
{
    /// <summary>The exit code and standard output; exit code -1 when the command is missing or timed out.</summary>
    public static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            return (-1, string.Empty);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited between the wait and the kill.
                }

                process.WaitForExit(timeout);
                return (-1, string.Empty);
            }

            // WaitForExit(TimeSpan) does not wait for the redirected streams; the no-argument overload does, and the process has ended.
            process.WaitForExit();
            return (process.ExitCode, output.Result);
        }
    }
}
