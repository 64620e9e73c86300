using System.Diagnostics;
using System.Runtime.InteropServices;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Offline;

namespace TcpReplay.Engine.Hosting;

/// <summary>Where the copier host is, whether it can run here, and how a copy or a replay is started in it.</summary>
public sealed partial class CopierProcess
{
    /// <summary>The host's file name, beside the engine's assembly.</summary>
    public const string HostFileName = "TcpReplay.CopierHost.dll";

    /// <summary>The host compiled ahead of time (NativeAOT), used instead of <see cref="HostFileName"/> when it is there.</summary>
    public const string NativeHostFileName = "TcpReplay.CopierHost";

    /// <summary>Names another copier host to run than the module's own (a build of one's own, or the assembly instead of the native host).</summary>
    public const string HostPathVariable = "TCPREPLAY_COPIER_HOST";

    /// <summary>Starts the host process and the copy in it; returns once the copy runs.</summary>
    /// <param name="options">The copy, exactly as for <see cref="LiveCopy"/>.</param>
    /// <param name="hostPath">The host: an assembly (.dll, run by the dotnet host) or a native executable; by default
    /// <see cref="HostPathVariable"/>'s, else <see cref="NativeHostFileName"/> beside the engine when it is there, else
    /// <see cref="HostFileName"/>.</param>
    /// <param name="cancellationToken">Gives up the start (Ctrl+C): the host is killed and the wait ends at once.</param>
    /// <exception cref="CaptureException">The copy's capture could not be opened (the same causes as in-process).</exception>
    /// <exception cref="CopierHostMismatchException">The host speaks another protocol version: it is from another build.</exception>
    /// <exception cref="InvalidOperationException">The host could not be started, or the copy failed to start otherwise.</exception>
    /// <exception cref="OperationCanceledException">The start was given up.</exception>
    public static CopierProcess Start(LiveCopyOptions options, string? hostPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Launch(hostPath, HostFrameType.Start, w => LiveCopyOptionsCodec.Write(w, options), cancellationToken);
    }

    /// <summary>Starts the host process and an offline replay in it; returns once the replay has planned its files and runs.</summary>
    /// <param name="options">The replay, exactly as for <see cref="OfflineReplay"/>.</param>
    /// <param name="hostPath">As for <see cref="Start"/>.</param>
    /// <param name="cancellationToken">As for <see cref="Start"/>.</param>
    /// <exception cref="CaptureException">Pcap sending cannot open the interface.</exception>
    /// <exception cref="CopierHostMismatchException">The host speaks another protocol version: it is from another build.</exception>
    /// <exception cref="InvalidOperationException">The host could not be started, or the replay failed to start otherwise.</exception>
    /// <exception cref="OperationCanceledException">The start was given up.</exception>
    public static CopierProcess StartReplay(OfflineReplayOptions options, string? hostPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Launch(hostPath, HostFrameType.StartReplay, w => OfflineReplayOptionsCodec.Write(w, options), cancellationToken);
    }

    private static CopierProcess Launch(string? hostPath, HostFrameType start, Action<BinaryWriter> writeOptions, CancellationToken cancellationToken)
    {
        hostPath ??= DefaultHostPath();
        if (WhyUnavailable(hostPath) is { } why)
        {
            throw new InvalidOperationException($"{why} Or copy in-process.");
        }

        var startInfo = hostPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ProcessStartInfo(FindDotnet(), [hostPath]) : new ProcessStartInfo(hostPath);
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        // Footprint of a process whose steady state allocates nothing: a 2 MiB gen0 budget instead of one sized to the
        // cache, and two malloc arenas instead of one per busy thread. A value the user set wins.
        startInfo.Environment.TryAdd("DOTNET_GCgen0MaxBudget", "0x200000");
        startInfo.Environment.TryAdd("MALLOC_ARENA_MAX", "2");
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"The copier host {hostPath} did not start.");
        var copier = new CopierProcess(process, hostPath);
        process.ErrorDataReceived += (_, e) => copier.KeepStderr(e.Data);
        process.BeginErrorReadLine();
        try
        {
            copier.Begin(start, writeOptions, cancellationToken);
        }
        catch
        {
            copier.Kill();
            process.Dispose();
            throw;
        }

        return copier;
    }

    /// <summary>Why no copier process can be started from this module (no host file, or no dotnet host for the assembly); null when one can.</summary>
    /// <param name="hostPath">As for <see cref="Start"/>.</param>
    public static string? WhyUnavailable(string? hostPath = null)
    {
        hostPath ??= DefaultHostPath();
        if (!File.Exists(hostPath))
        {
            return $"The copier host {hostPath} is missing: the module folder is incomplete (make module builds it).";
        }

        try
        {
            if (hostPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                FindDotnet();
            }

            return null;
        }
        catch (InvalidOperationException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>The host <see cref="HostPathVariable"/> names, else the native host beside the engine when the module has one, else the assembly run by the dotnet host.</summary>
    private static string DefaultHostPath()
    {
        if (Environment.GetEnvironmentVariable(HostPathVariable) is { Length: > 0 } chosen)
        {
            return chosen;
        }

        var folder = Path.GetDirectoryName(typeof(CopierProcess).Assembly.Location)!;
        var native = Path.Combine(folder, NativeHostFileName);
        return File.Exists(native) && MakeExecutable(native) ? native : Path.Combine(folder, HostFileName);
    }

    /// <summary>
    /// A module installed from a package (Install-PSResource, Install-Module: a .nupkg is a zip, which keeps no Unix
    /// modes) has its native host without the execute bits: they are set back when the folder may be written; false
    /// when they cannot be (a read-only install), and the assembly host is used instead.
    /// </summary>
    internal static bool MakeExecutable(string path)
    {
        const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | Execute);
            }

            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    /// <summary>The dotnet host that runs this runtime (pwsh as a dotnet tool), else DOTNET_ROOT's, else the one on PATH.</summary>
    internal static string FindDotnet()
    {
        var candidates = new List<string>
        {
            Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root)
        {
            candidates.Add(Path.Combine(root, "dotnet"));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, "dotnet")));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No dotnet host was found to run the copier process (looked beside this runtime, in DOTNET_ROOT and on PATH): install the .NET runtime, or copy in-process.");
    }
}
