using System.Diagnostics;
using System.Security.Cryptography;

namespace TcpReplay.Engine.Tests.Lab;

/// <summary>
/// Network namespaces, veth links and processes for one test, named with a per-run prefix so parallel runs do not
/// collide; <see cref="Dispose"/> kills every process it started (by PID) and deletes every namespace it made.
/// Only 198.18.0.0/15 addresses are used.
/// </summary>
internal sealed class LabNetwork : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];
    private DirectoryInfo? _webRoot;

    public LabNetwork()
    {
        // Short: the prefix ends up in namespace names only, never in interface names (15 characters at most).
        Prefix = "trc" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
    }

    public string Prefix { get; }

    public string Name(string role) => $"{Prefix}-{role}";

    /// <summary>Creates namespace <paramref name="role"/> with its loopback up.</summary>
    public string AddNamespace(string role)
    {
        var name = Name(role);
        Host("ip", "netns", "add", name);
        _namespaces.Add(name);
        Run(role, "ip", "link", "set", "lo", "up");
        return name;
    }

    /// <summary>Links two namespaces with a veth pair, addresses in CIDR form, both ends up.</summary>
    public void AddVeth(string roleA, string interfaceA, string addressA, string macA, string roleB, string interfaceB, string addressB, string macB)
    {
        // Created straight inside the namespaces, so the names never exist (or collide) in the host's.
        Host("ip", "link", "add", interfaceA, "address", macA, "netns", Name(roleA), "type", "veth",
            "peer", "name", interfaceB, "address", macB, "netns", Name(roleB));
        Run(roleA, "ip", "addr", "add", addressA, "dev", interfaceA);
        Run(roleB, "ip", "addr", "add", addressB, "dev", interfaceB);
        Run(roleA, "ip", "link", "set", interfaceA, "up");
        Run(roleB, "ip", "link", "set", interfaceB, "up");
    }

    /// <summary>Runs a command in namespace <paramref name="role"/>; throws with its output when it fails.</summary>
    public string Run(string role, params string[] command) => Host(["ip", "netns", "exec", Name(role), .. command]);

    /// <summary>Starts a long-running command in namespace <paramref name="role"/>; killed by <see cref="Dispose"/>.</summary>
    public Process Start(string role, params string[] command)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "netns", "exec", Name(role) }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        // `ip netns exec` execs the command: the PID is the command's.
        var process = Process.Start(start)!;
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts a python3 HTTP server on <paramref name="port"/> in <paramref name="role"/> and waits until it listens.</summary>
    public Process StartHttpServer(string role, ushort port)
    {
        _webRoot ??= Directory.CreateTempSubdirectory(Prefix);
        File.WriteAllText(Path.Combine(_webRoot.FullName, "index.html"), "lab\n");
        var server = Start(role, LabEnvironment.Python, "-m", "http.server", port.ToString(), "--bind", "0.0.0.0", "--directory", _webRoot.FullName);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (Run(role, "ss", "-Hltn", $"sport = :{port}").Trim().Length > 0)
            {
                return server;
            }

            if (server.HasExited)
            {
                throw new InvalidOperationException($"The HTTP server in {Name(role)} exited with {server.ExitCode}.");
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"The HTTP server in {Name(role)} did not listen on {port} within 10 s.");
    }

    /// <summary>
    /// Starts a bounded client in <paramref name="role"/>: up to <paramref name="connections"/> HTTP/1.0 requests to
    /// host:port, <paramref name="interval"/> apart, for at most <paramref name="limit"/>. Its output is the number of
    /// connections it attempted (each sends a SYN).
    /// </summary>
    public Process StartClient(string role, string host, ushort port, int connections, TimeSpan interval, TimeSpan limit) =>
        Start(
            role,
            LabEnvironment.Python,
            "-c",
            ClientScript,
            host,
            port.ToString(),
            connections.ToString(),
            interval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            limit.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Runs <see cref="StartClient"/> to its end and returns the connections attempted.</summary>
    public int RunClient(string role, string host, ushort port, int connections, TimeSpan interval, TimeSpan limit)
    {
        var client = StartClient(role, host, port, connections, interval, limit);
        return WaitForClient(client, limit);
    }

    public static int WaitForClient(Process client, TimeSpan limit)
    {
        var output = client.StandardOutput.ReadToEndAsync();
        if (!client.WaitForExit(limit + TimeSpan.FromSeconds(5)))
        {
            throw new TimeoutException("The lab client did not end within its limit.");
        }

        client.WaitForExit();
        return int.Parse(output.Result.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(2000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        foreach (var name in _namespaces)
        {
            // Deleting a namespace removes its interfaces (and the veth peers), addresses, routes and iptables rules.
            TryHost("ip", "netns", "del", name);
        }

        _webRoot?.Delete(recursive: true);
    }

    private const string ClientScript = """
        import socket, sys, time
        host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        interval, deadline = float(sys.argv[4]), time.monotonic() + float(sys.argv[5])
        attempted = 0
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            attempted += 1
            try:
                with socket.create_connection((host, port), timeout=1) as s:
                    s.sendall(b"GET / HTTP/1.0\r\nHost: lab\r\n\r\n")
                    s.settimeout(1)
                    while s.recv(65536):
                        pass
            except OSError:
                pass
            time.sleep(interval)
        print(attempted)
        """;

    private static string Host(params string[] command)
    {
        var (exitCode, output, error) = Execute(command);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"`{string.Join(' ', command)}` failed ({exitCode}): {error}{output}");
        }

        return output;
    }

    private static void TryHost(params string[] command) => Execute(command);

    private static (int ExitCode, string Output, string Error) Execute(string[] command)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, string.Empty, "timed out");
        }

        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
