using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Tests.Connections;

public class CloseReasonKindsTests
{
    [Theory]
    [InlineData(CloseReason.None, false, false)]
    [InlineData(CloseReason.Completed, true, false)]
    [InlineData(CloseReason.CopierReset, true, false)]
    [InlineData(CloseReason.ClientReset, true, false)]
    [InlineData(CloseReason.TargetReset, false, true)]
    [InlineData(CloseReason.HandshakeFailed, false, true)]
    [InlineData(CloseReason.Timeout, false, true)]
    [InlineData(CloseReason.CaptureGap, false, true)]
    [InlineData(CloseReason.Evicted, false, true)]
    [InlineData(CloseReason.InterceptUnavailable, false, true)]
    [InlineData(CloseReason.Stopped, false, false)]
    [InlineData(CloseReason.DataNotAcknowledged, false, true)]
    public void EachReasonIsANormalEndAFailureOrNeither(CloseReason reason, bool normal, bool failure)
    {
        Assert.Equal(normal, reason.IsNormal());
        Assert.Equal(failure, reason.IsFailure());
    }

    [Fact]
    public void EveryReasonIsClassified()
    {
        // A new reason must be added to the theory above, so that someone decides how it counts.
        Assert.Equal(12, Enum.GetValues<CloseReason>().Length);
    }
}
