using System.ComponentModel;
using System.Diagnostics;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class ExternalCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public void ExitCodeAndBothStreamsComeBackSeparately()
    {
        var (exitCode, stdout, stderr) = ExternalCommand.Run("sh", ["-c", "echo out; echo err >&2; exit 3"], Limit);

        Assert.Equal(3, exitCode);
        Assert.Equal("out\n", stdout);
        Assert.Equal("err\n", stderr);
    }

    [Fact]
    public void ArgumentsReachTheToolUnsplitAndUnexpanded()
    {
        var (_, stdout, _) = ExternalCommand.Run("printf", ["%s|", "a b", "$HOME", "*"], Limit);

        Assert.Equal("a b|$HOME|*|", stdout);
    }

    [Fact]
    public void StandardInputIsClosedSoAReaderDoesNotWait()
    {
        var (exitCode, stdout, _) = ExternalCommand.Run("cat", [], Limit);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public void MessagesAreUntranslated()
    {
        var (_, stdout, _) = ExternalCommand.Run("sh", ["-c", "echo $LC_ALL"], Limit);

        Assert.Equal("C\n", stdout);
    }

    [Fact]
    public void AToolPastItsLimitIsKilledByPid()
    {
        var pidFile = Path.Combine(Path.GetTempPath(), $"trd-{Guid.NewGuid():N}.pid");
        try
        {
            var clock = Stopwatch.StartNew();
            var exception = Assert.Throws<TimeoutException>(
                () => ExternalCommand.Run("sh", ["-c", $"echo $$ > {pidFile}; exec sleep 30"], TimeSpan.FromMilliseconds(300)));

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Took {clock.Elapsed}.");
            Assert.Contains("sleep 30", exception.Message);
            var pid = File.ReadAllText(pidFile).Trim();
            Assert.False(Directory.Exists($"/proc/{pid}"), $"Process {pid} is still there.");
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    [Fact]
    public void CancellingKillsTheToolAndThrows()
    {
        var pidFile = Path.Combine(Path.GetTempPath(), $"trd-{Guid.NewGuid():N}.pid");
        try
        {
            using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            Assert.ThrowsAny<OperationCanceledException>(
                () => ExternalCommand.Run("sh", ["-c", $"echo $$ > {pidFile}; exec sleep 30"], Limit, null, cancellation.Token));

            var pid = File.ReadAllText(pidFile).Trim();
            Assert.False(Directory.Exists($"/proc/{pid}"), $"Process {pid} is still there.");
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    [Fact]
    public void AMissingToolIsAWin32Exception()
    {
        Assert.Throws<Win32Exception>(() => ExternalCommand.Run("trd-no-such-tool", [], Limit));
    }

    [Theory]
    [InlineData("-n")]
    [InlineData("../etc")]
    [InlineData("a b")]
    [InlineData("")]
    public void ANamespaceNameThatCouldBeAnOptionOrPathIsRefused(string name)
    {
        Assert.Throws<ArgumentException>(() => ExternalCommand.Run("true", [], Limit, name));
    }

    [Fact]
    public void FormatQuotesForAShellAndPrefixesTheNamespace()
    {
        Assert.Equal("ip route add 198.19.0.0/16 via 198.18.0.40", ExternalCommand.Format("ip", ["route", "add", "198.19.0.0/16", "via", "198.18.0.40"]));
        Assert.Equal("ip netns exec trd1 echo 'a b' 'it'\\''s' ''", ExternalCommand.Format("echo", ["a b", "it's", ""], "trd1"));
    }

    [RootFact]
    public void InANamespaceTheToolSeesOnlyThatNamespacesInterfaces()
    {
        using var ns = new TestNamespace();

        var (exitCode, stdout, _) = ExternalCommand.Run("ip", ["-o", "link", "show"], Limit, ns.Name);

        Assert.Equal(0, exitCode);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(": lo:", line);
    }
}
