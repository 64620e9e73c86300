using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Tests.Diagnostics;

public sealed class EthtoolFeaturesTests
{
    [Theory]
    [InlineData(EthtoolFeatures.TcpSegmentationOffload, true)]
    [InlineData(EthtoolFeatures.GenericReceiveOffload, false)]
    [InlineData(EthtoolFeatures.LargeReceiveOffload, false)]
    public void RecordedVethOutputGivesEachOffload(string feature, bool expected)
    {
        Assert.Equal(expected, EthtoolFeatures.Find(Fixture.Read("ethtool-k-veth.txt"), feature));
    }

    [Fact]
    public void FixedAndRequestedSuffixesDoNotHideTheState()
    {
        const string output = "generic-receive-offload: on [fixed]\nlarge-receive-offload: off [requested on]\n";

        Assert.True(EthtoolFeatures.Find(output, EthtoolFeatures.GenericReceiveOffload));
        Assert.False(EthtoolFeatures.Find(output, EthtoolFeatures.LargeReceiveOffload));
    }

    [Fact]
    public void AFeatureWhoseNameOnlyStartsTheSameIsNotConfused()
    {
        const string output = "tcp-segmentation-offload-extra: on\ntcp-segmentation-offload: off\n";

        Assert.False(EthtoolFeatures.Find(output, EthtoolFeatures.TcpSegmentationOffload));
    }

    [Theory]
    [InlineData("")]
    [InlineData("netlink error: no device matches name (offset 24)\n")]
    [InlineData("generic-receive-offload: maybe\n")]
    [InlineData("generic-receive-offload\n")]
    public void AbsentOrUnreadableFeatureIsUnknown(string output)
    {
        Assert.Null(EthtoolFeatures.Find(output, EthtoolFeatures.GenericReceiveOffload));
    }
}
