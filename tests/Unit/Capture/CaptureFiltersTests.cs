using SharpPcap.LibPcap;
using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Tests.Capture;

public class CaptureFiltersTests
{
    [Fact]
    public void OneClientPortIsOneDestinationPortPrimitive() =>
        Assert.Equal("tcp dst port 8080", CaptureFilters.ForClientPorts([8080]));

    [Fact]
    public void SeveralClientPortsAreSortedDeduplicatedAndJoinedWithOr() =>
        Assert.Equal("tcp dst port 80 or tcp dst port 8080 or tcp dst port 8443", CaptureFilters.ForClientPorts([8443, 80, 8080, 80]));

    [Fact]
    public void AnOnlineAddressRestrictsTheDestinationHost() =>
        Assert.Equal("dst host 198.18.0.20 and (tcp dst port 8080 or tcp dst port 8443)", CaptureFilters.ForClientPorts([8080, 8443], 0xC6120014));

    [Fact]
    public void TargetResponsesAreMatchedBySourcePort() =>
        Assert.Equal("tcp src port 8080 or tcp src port 9000", CaptureFilters.ForTargetResponses([9000, 8080]));

    [Fact]
    public void AllResponsesLeaveOutOnlyTheChannelTrafficToTheAssistantsOwnAddresses() =>
        Assert.Equal(
            "tcp and not (dst port 36524 and (dst host 198.18.0.40 or dst host 198.18.1.40))",
            CaptureFilters.ForAllTargetResponses(36524, [0xC6120128, 0xC6120028, 0xC6120028]));

    [Fact]
    public void WithoutKnownOwnAddressesEveryPacketOfTheChannelPortIsLeftOut() =>
        Assert.Equal("tcp and not port 36524", CaptureFilters.ForAllTargetResponses(36524, []));

    [Fact]
    public void TheAllResponsesFilterCompilesWithLibpcap() =>
        Assert.True(PcapDevice.CheckFilter(CaptureFilters.ForAllTargetResponses(36524, [0xC6120028, 0xC6120128]), out var error), error);

    [Fact]
    public void NoPortIsRejected()
    {
        Assert.Throws<ArgumentException>(() => CaptureFilters.ForClientPorts([]));
        Assert.Throws<ArgumentException>(() => CaptureFilters.ForTargetResponses([]));
    }

    [Fact]
    public void PortZeroIsRejected() => Assert.Throws<ArgumentException>(() => CaptureFilters.ForClientPorts([0, 80]));

    [Theory]
    [InlineData(new ushort[] { 8080 }, null)]
    [InlineData(new ushort[] { 1, 65535, 8080 }, 0xC6120014u)]
    public void TheFiltersCompileWithLibpcap(ushort[] ports, uint? address)
    {
        Assert.True(PcapDevice.CheckFilter(CaptureFilters.ForClientPorts(ports, address), out var error), error);
        Assert.True(PcapDevice.CheckFilter(CaptureFilters.ForTargetResponses(ports), out error), error);
    }

    [Theory]
    [InlineData(0xC6120014u, "198.18.0.20")]
    [InlineData(0u, "0.0.0.0")]
    [InlineData(0xFFFFFFFFu, "255.255.255.255")]
    public void AddressesAreFormattedFromTheHostOrderNumberOfTheWireValue(uint address, string expected) =>
        Assert.Equal(expected, CaptureFilters.FormatAddress(address));
}
