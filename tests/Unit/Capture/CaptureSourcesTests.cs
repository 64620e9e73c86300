using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Tests.Lab;
using static TcpReplay.Engine.Tests.Lab.LabTopology;

namespace TcpReplay.Engine.Tests.Capture;

[Collection(LabCollection.Name)]
public class CaptureSourcesTests
{
    [RootTheory]
    [InlineData(CaptureMode.RawSocket, typeof(RawSocketCapture), CaptureLayer.IpLayer, "raw IPv4 socket (IP layer), TCP destination ports 8080, 8443 to 198.18.0.20")]
    [InlineData(CaptureMode.Pcap, typeof(PcapCapture), CaptureLayer.Datalink, "libpcap on eth0 (datalink), inbound, 64 MiB ring, filter 'dst host 198.18.0.20 and (tcp dst port 8080 or tcp dst port 8443)'")]
    [InlineData(CaptureMode.Auto, typeof(AutoCapture), CaptureLayer.Datalink, "auto: delivering from libpcap on eth0")]
    public void EachModeOpensItsSourceForTheClientPorts(CaptureMode mode, Type expected, CaptureLayer layer, string description)
    {
        using var lab = new LabNetwork();
        Direct(lab);
        using (NetworkNamespaceScope.Enter(lab.Name(Online)))
        using (var source = CaptureSources.Open(mode, OnlineInterface, [8443, Port], new PacketBufferPool(), onlineAddress: 0xC6120014))
        {
            Assert.IsType(expected, source);
            Assert.Equal(layer, source.Layer);
            Assert.StartsWith(description, source.Description);
            Assert.Equal(CaptureStatus.Created, source.Status);
        }
    }
}
