using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Capture;

[Collection(LabCollection.Name)]
public class CapturePermissionTests
{
    public static TheoryData<string> Openers => ["raw", "pcap", "auto", "sender"];

    [RootTheory]
    [MemberData(nameof(Openers))]
    public void WithoutCapNetRawOpeningThrowsNotPermittedNamingTheFix(string opener)
    {
        using var lab = new LabNetwork();
        LabTopology.Direct(lab);
        var pool = new PacketBufferPool();
        var failure = DroppedCapabilities.Run(() =>
        {
            using (NetworkNamespaceScope.Enter(lab.Name(LabTopology.Online)))
            {
                IDisposable opened = opener switch
                {
                    "raw" => new RawSocketCapture([LabTopology.Port], pool),
                    "pcap" => new PcapCapture(LabTopology.OnlineInterface, "tcp", pool),
                    "auto" => new AutoCapture(LabTopology.OnlineInterface, [LabTopology.Port], pool),
                    _ => new PcapSender(LabTopology.OnlineInterface),
                };
                opened.Dispose();
            }
        });

        var error = Assert.IsType<CaptureException>(failure);
        Assert.Equal(CaptureErrorKind.NotPermitted, error.Kind);
        Assert.Contains("run as root", error.Message);
        Assert.Contains("CAP_NET_RAW", error.Message);
    }
}
