using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

/// <summary>A network namespace of its own for one test ("trd" and random hex), deleted on Dispose.</summary>
internal sealed class TestNamespace : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public TestNamespace()
    {
        Name = $"trd{Random.Shared.Next():x8}";
        Run("ip", "netns", "add", Name);
        try
        {
            Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>Runs a command on the host (for ip -n, ip netns); fails the test on a non-zero exit.</summary>
    public static string Run(string file, params string[] args)
    {
        var (exitCode, stdout, stderr) = ExternalCommand.Run(file, args, Limit);
        Assert.True(exitCode == 0, $"{ExternalCommand.Format(file, args)} exited with {exitCode}: {stderr}");
        return stdout;
    }

    /// <summary>Runs a command inside the namespace; fails the test on a non-zero exit.</summary>
    public string Exec(string file, params string[] args)
    {
        var (exitCode, stdout, stderr) = ExternalCommand.Run(file, args, Limit, Name);
        Assert.True(exitCode == 0, $"{ExternalCommand.Format(file, args, Name)} exited with {exitCode}: {stderr}");
        return stdout;
    }

    /// <summary>
    /// A veth pair in 198.18.0.0/24 between this namespace (<paramref name="localName"/>, <paramref name="localAddress"/>)
    /// and <paramref name="peer"/> (<paramref name="peerName"/>, <paramref name="peerAddress"/>), both ends up.
    /// </summary>
    public void ConnectTo(TestNamespace peer, string localName, string localAddress, string peerName, string peerAddress)
    {
        Run("ip", "-n", Name, "link", "add", localName, "type", "veth", "peer", "name", peerName, "netns", peer.Name);
        Exec("ip", "addr", "add", localAddress, "dev", localName);
        Exec("ip", "link", "set", localName, "up");
        peer.Exec("ip", "addr", "add", peerAddress, "dev", peerName);
        peer.Exec("ip", "link", "set", peerName, "up");
    }

    /// <summary>A veth pair with both ends in this namespace, <paramref name="name"/> addressed and both up.</summary>
    public void AddVeth(string name, string address)
    {
        Exec("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
        Exec("ip", "addr", "add", address, "dev", name);
        Exec("ip", "link", "set", name + "p", "up");
        Exec("ip", "link", "set", name, "up");
    }

    public void Dispose()
    {
        // Deleting the namespace removes its interfaces, veth peers elsewhere included, and its routes.
        ExternalCommand.Run("ip", ["netns", "del", Name], Limit);
    }
}
