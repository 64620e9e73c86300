using System.Net;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Live;

namespace TcpReplay.Engine.Tests.Live;

/// <summary>
/// libpcap's ring is mapped into the copier (all of it counts in its memory), a raw socket's receive buffer is only a
/// limit: not given, each gets its own default; given (-CaptureBufferMiB), both take it.
/// </summary>
public sealed class CaptureBufferDefaultsTests
{
    [Fact]
    public void NotGivenTheRingIsTcpcopysSixteenMiBAndTheRawSocketBufferStaysLarge()
    {
        var capture = new LiveCopy(Options(null)).CaptureThreadOptions;

        Assert.Equal(16 * 1024 * 1024, capture.PcapBufferBytes);
        Assert.Equal(LiveCopyOptions.DefaultRingBytes, capture.PcapBufferBytes);
        Assert.Equal(64 * 1024 * 1024, capture.KernelBufferBytes);
    }

    [Fact]
    public void GivenBothTheRingAndTheRawSocketBufferTakeIt()
    {
        var capture = new LiveCopy(Options(48 * 1024 * 1024)).CaptureThreadOptions;

        Assert.Equal(48 * 1024 * 1024, capture.PcapBufferBytes);
        Assert.Equal(48 * 1024 * 1024, capture.KernelBufferBytes);
    }

    private static LiveCopyOptions Options(int? bufferBytes) => new()
    {
        Copy = new CopyEngineOptions
        {
            Transfers = [new Transfer(0, 8080, 0xC612001E, 8080)],
            FakeClientNetworks = [IPv4Network.Parse("198.19.0.0/24")],
        },
        InterceptServers = [new IPEndPoint(IPAddress.Parse("198.18.0.40"), 36524)],
        CaptureBufferBytes = bufferBytes,
    };
}
