using TcpReplay.Engine.Hosting;

namespace TcpReplay.Engine.Tests.Hosting;

/// <summary>A module installed from a .nupkg (a zip) has its native host without the execute bits.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NativeHostModeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tcpreplay-host-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AHostUnpackedWithoutExecuteBitsGetsThemBack()
    {
        var host = Path.Combine(_directory, CopierProcess.NativeHostFileName);
        File.WriteAllBytes(host, [0x7F, (byte)'E', (byte)'L', (byte)'F']);
        File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.True(CopierProcess.MakeExecutable(host));

        var mode = File.GetUnixFileMode(host);
        Assert.Equal(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute,
            mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
        Assert.True((mode & UnixFileMode.UserRead) != 0);
    }

    [Fact]
    public void AHostThatIsAlreadyExecutableIsLeftAsItIs()
    {
        var host = Path.Combine(_directory, CopierProcess.NativeHostFileName);
        File.WriteAllBytes(host, [0]);
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        File.SetUnixFileMode(host, mode);

        Assert.True(CopierProcess.MakeExecutable(host));
        Assert.Equal(mode, File.GetUnixFileMode(host));
    }

    [Fact]
    public void AMissingHostIsReportedAsNotExecutable() =>
        Assert.False(CopierProcess.MakeExecutable(Path.Combine(_directory, "absent")));
}
