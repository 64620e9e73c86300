using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class LibPcapProbeTests
{
    [Fact]
    public void AMissingLibraryIsReportedWithTheRemedyNotThrown()
    {
        var info = LibPcapProbe.Probe(["libtrd-no-such-pcap.so.9"]);

        Assert.False(info.IsAvailable);
        Assert.Null(info.LibraryPath);
        Assert.Null(info.Version);
        Assert.Equal("apt-get install libpcap0.8", info.Remedy);
    }

    [Fact]
    public void ALibraryWithoutPcapLibVersionDoesNotCount()
    {
        // libm loads but is not libpcap: the probe must look for the export, not just a file.
        var info = LibPcapProbe.Probe(["libm.so.6"]);

        Assert.False(info.IsAvailable);
    }

    [Fact]
    public void TheInstalledLibpcapReportsItsFileAndVersion()
    {
        // The test machines install libpcap0.8 (build/install-deps.sh); SharpPcap needs it for every capture test.
        var info = LibPcapProbe.Probe();

        Assert.True(info.IsAvailable, "libpcap is not installed: " + info.Remedy);
        Assert.StartsWith("libpcap version ", info.Version);
        Assert.StartsWith("/", info.LibraryPath);
        Assert.Contains("libpcap.so", info.LibraryPath);
    }
}
