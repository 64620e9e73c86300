using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Tests.Capture;

public class CaptureProbeTests
{
    [Fact]
    public void AnIpLayerThatSawNothingMeansForwardingAndKeepsLibpcap()
    {
        var decision = CaptureProbe.Decide([8080], [20], [0], "eth0");
        Assert.Equal(CaptureLayer.Datalink, decision.Layer);
        Assert.Equal(
            "the IP layer saw 0 of 20 client packets for port 8080 that the datalink saw: the service is reached by forwarding "
            + "(DNAT to a container, as Docker publishes ports), which never delivers to raw sockets; using libpcap on eth0",
            decision.Reason);
        Assert.Equal(0, decision.IpLayerPackets);
        Assert.Equal(20, decision.DatalinkPackets);
    }

    [Fact]
    public void AnIpLayerThatSawEverythingKeepsTheRawSocket()
    {
        var decision = CaptureProbe.Decide([8080], [20], [20], "eth0");
        Assert.Equal(CaptureLayer.IpLayer, decision.Layer);
        Assert.StartsWith("the IP layer saw 20 of 20 client packets for port 8080 that the datalink saw: the service is delivered locally", decision.Reason);
        Assert.EndsWith("closing libpcap on eth0", decision.Reason);
    }

    [Theory]
    [InlineData(16, CaptureLayer.IpLayer)]
    [InlineData(15, CaptureLayer.Datalink)]
    public void TheIpLayerMustSeeEightyPercentOfTheDatalinksPackets(long ipLayer, CaptureLayer expected) =>
        Assert.Equal(expected, CaptureProbe.Decide([8080], [20], [ipLayer], "eth0").Layer);

    [Fact]
    public void APartlySeenPortIsReportedAsPartlyForwarded()
    {
        var decision = CaptureProbe.Decide([8080], [20], [5], "any");
        Assert.Equal(CaptureLayer.Datalink, decision.Layer);
        Assert.StartsWith("the IP layer saw 5 of 20 client packets for port 8080", decision.Reason);
        Assert.Contains("part of that traffic is forwarded", decision.Reason);
    }

    [Fact]
    public void OneForwardedPortAmongLocalOnesKeepsLibpcapAndNamesOnlyThatPort()
    {
        var decision = CaptureProbe.Decide([80, 8080, 9000], [10, 10, 0], [10, 0, 3], "eth0");
        Assert.Equal(CaptureLayer.Datalink, decision.Layer);
        Assert.StartsWith("the IP layer saw 0 of 10 client packets for port 8080 that", decision.Reason);
        Assert.Equal(13, decision.IpLayerPackets);
        Assert.Equal(20, decision.DatalinkPackets);
    }

    [Fact]
    public void TrafficTheIpLayerSeesOnOtherInterfacesDoesNotInflateTheCount()
    {
        var decision = CaptureProbe.Decide([80, 443], [12, 8], [30, 8], "eth0");
        Assert.Equal(CaptureLayer.IpLayer, decision.Layer);
        Assert.StartsWith("the IP layer saw 20 of 20 client packets for ports 80, 443", decision.Reason);
    }
}
