using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;
using static TcpReplay.Engine.Tests.Connections.CopyHarness;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>The copier acknowledges the target's data as a Linux client does (ReplayConnection.DelayedAck).</summary>
public class DelayedAckTests
{
    private const uint Isn = 1_000;
    private const uint OnlineIsn = 900_000;
    private static readonly TimeSpan DelayedAck = TimeSpan.FromTicks(ReplayConnection.DelayedAckNanoseconds / 100);

    [Theory]
    [InlineData(PacingMode.Timeline)]
    [InlineData(PacingMode.WaitResponse)]
    public void ALoneAnswerSegmentIsAcknowledgedAfterTheDelayedAckTime(PacingMode pacing)
    {
        var (lab, syn) = AfterOneRequest(pacing);
        var sentBefore = lab.Sender.Sent.Count;

        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn + 1, Isn + 101, TcpFlags.Ack | TcpFlags.Psh, payload: 300);
        Assert.Equal(sentBefore, lab.Sender.Sent.Count);

        lab.Advance(DelayedAck - TimeSpan.FromMilliseconds(1));
        Assert.Equal(sentBefore, lab.Sender.Sent.Count);

        lab.Advance(TimeSpan.FromMilliseconds(1));
        var ack = Assert.Single(lab.Sender.Sent.Skip(sentBefore));
        Assert.Equal(TcpFlags.Ack, ack.Flags);
        Assert.Equal(TargetIsn + 301, ack.Acknowledgment);
        Assert.Equal(0, ack.PayloadLength);
    }

    [Fact]
    public void EverySecondSegmentIsAcknowledgedAtOnce()
    {
        var (lab, syn) = AfterOneRequest(PacingMode.Timeline);
        var sentBefore = lab.Sender.Sent.Count;

        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn + 1, Isn + 101, TcpFlags.Ack, payload: 1448);
        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn + 1449, Isn + 101, TcpFlags.Ack, payload: 1448);

        var ack = Assert.Single(lab.Sender.Sent.Skip(sentBefore));
        Assert.Equal(TargetIsn + 2897, ack.Acknowledgment);

        // Nothing is owed any more: the timer sends no second ACK.
        lab.Advance(DelayedAck * 2);
        Assert.Equal(sentBefore + 1, lab.Sender.Sent.Count);
    }

    [Fact]
    public void TheNextClientSegmentCarriesTheAcknowledgmentAndNoPureAckFollows()
    {
        var (lab, syn) = AfterOneRequest(PacingMode.Timeline);
        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn + 1, Isn + 101, TcpFlags.Ack | TcpFlags.Psh, payload: 300);
        var sentBefore = lab.Sender.Sent.Count;

        lab.FromClient(40000, Isn + 101, OnlineIsn + 501, TcpFlags.Ack | TcpFlags.Psh, payload: 80);
        var request = Assert.Single(lab.Sender.Sent.Skip(sentBefore));
        Assert.Equal(80, request.PayloadLength);
        Assert.Equal(TargetIsn + 301, request.Acknowledgment);

        lab.Advance(DelayedAck * 2);
        Assert.DoesNotContain(lab.Sender.Sent.Skip(sentBefore + 1), s => s.Flags == TcpFlags.Ack && s.PayloadLength == 0);
    }

    [Fact]
    public void DataBeyondAHoleIsAcknowledgedAtOnceWithWhatIsHeld()
    {
        var (lab, syn) = AfterOneRequest(PacingMode.Timeline);
        var sentBefore = lab.Sender.Sent.Count;

        // The intercept missed TargetIsn+1..+300: the segment after the hole gets a duplicate ACK at once.
        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn + 301, Isn + 101, TcpFlags.Ack | TcpFlags.Psh, payload: 200);

        var ack = Assert.Single(lab.Sender.Sent.Skip(sentBefore));
        Assert.Equal(TargetIsn + 1, ack.Acknowledgment);
    }

    [Fact]
    public void TheTargetsFinIsAcknowledgedAtOnce()
    {
        var (lab, syn) = AfterOneRequest(PacingMode.Timeline);
        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn + 1, Isn + 101, TcpFlags.Ack | TcpFlags.Psh, payload: 300);
        var sentBefore = lab.Sender.Sent.Count;

        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn + 301, Isn + 101, TcpFlags.Ack | TcpFlags.Fin);

        Assert.Contains(lab.Sender.Sent.Skip(sentBefore), s => (s.Flags & TcpFlags.Ack) != 0 && s.Acknowledgment == TargetIsn + 302);
    }

    private static (CopyHarness Lab, SentSegment Syn) AfterOneRequest(PacingMode pacing)
    {
        var lab = new CopyHarness(pacing);
        var syn = lab.Establish(40000, Isn);
        lab.FromClient(40000, Isn + 1, OnlineIsn + 1, TcpFlags.Ack | TcpFlags.Psh, payload: 100);
        Assert.Equal(100, lab.Sender.Last.PayloadLength);
        return (lab, syn);
    }
}
