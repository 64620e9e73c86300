using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>Runs a host tool (ip, ethtool, cat) to completion within a time limit, optionally inside a network namespace.</summary>
public static class ExternalCommand
{
    // After the exit, the pipes reach end of file at once unless a grandchild inherited them; do not wait for that.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> (no shell) and returns its exit code and output.</summary>
    /// <exception cref="TimeoutException">The tool did not exit within <paramref name="timeout"/>; it has been killed.</exception>
    /// <exception cref="Win32Exception">The tool could not be started (not installed, not executable).</exception>
    public static (int ExitCode, string StdOut, string StdErr) Run(string file, IEnumerable<string> args, TimeSpan timeout) =>
        Run(file, args, timeout, null, CancellationToken.None);

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/> (no shell), inside <paramref name="networkNamespace"/>
    /// when one is given (as <c>ip netns exec &lt;name&gt; file args</c>), and returns its exit code and output.
    /// Standard input is closed and LC_ALL=C, so messages are the untranslated ones the callers parse.
    /// </summary>
    /// <exception cref="TimeoutException">The tool did not exit within <paramref name="timeout"/>; it has been killed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the tool has been killed.</exception>
    /// <exception cref="Win32Exception">The tool could not be started (not installed, not executable).</exception>
    public static (int ExitCode, string StdOut, string StdErr) Run(
        string file, IEnumerable<string> args, TimeSpan timeout, string? networkNamespace, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(args);
        if ((timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue) && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The time limit must be positive and below 24 days.");
        }

        var argv = BuildArgv(file, args, networkNamespace);
        var startInfo = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in argv.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["LC_ALL"] = "C";

        using var process = Process.Start(startInfo) ?? throw new Win32Exception($"'{argv[0]}' could not be started.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var exited = process.WaitForExitAsync(CancellationToken.None);
        bool finished;
        try
        {
            finished = exited.Wait((int)timeout.TotalMilliseconds, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }

        if (!finished)
        {
            Kill(process);
            throw new TimeoutException($"'{Format(argv)}' did not finish within {timeout.TotalSeconds:0.###} s and was killed (PID {process.Id}).");
        }

        if (!Task.WaitAll([stdout, stderr], DrainLimit))
        {
            throw new TimeoutException($"'{Format(argv)}' exited but its output stayed open (a child process still holds it).");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The output of a tool that exited with 0; null when it failed, is not installed, could not be started or ran out
    /// of time: for checks that report "could not tell" rather than fail.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the tool has been killed.</exception>
    public static string? TryRun(string file, IEnumerable<string> args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            var (exitCode, stdout, _) = Run(file, args, timeout, null, cancellationToken);
            return exitCode == 0 ? stdout : null;
        }
        catch (Exception exception) when (exception is Win32Exception or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The command line that <see cref="Run(string, IEnumerable{string}, TimeSpan, string?, CancellationToken)"/> executes, quoted for a POSIX shell.</summary>
    public static string Format(string file, IEnumerable<string> args, string? networkNamespace = null) =>
        Format(BuildArgv(file, args, networkNamespace));

    private static List<string> BuildArgv(string file, IEnumerable<string> args, string? networkNamespace)
    {
        LinuxNames.ThrowIfInvalidNamespaceName(networkNamespace, nameof(networkNamespace));
        var argv = new List<string>();
        if (networkNamespace is not null)
        {
            argv.AddRange(["ip", "netns", "exec", networkNamespace]);
        }

        argv.Add(file);
        argv.AddRange(args);
        return argv;
    }

    private static string Format(IEnumerable<string> argv)
    {
        var text = new StringBuilder();
        foreach (var arg in argv)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            var plain = arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c));
            text.Append(plain ? arg : $"'{arg.Replace("'", "'\\''")}'");
        }

        return text.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            // By PID (Process.Kill signals this process and, with entireProcessTree, its descendants), never by name.
            process.Kill(entireProcessTree: true);
            process.WaitForExit(DrainLimit);
        }
        catch (InvalidOperationException)
        {
            // It exited between the time limit and the signal: nothing is left to stop.
        }
    }
}
