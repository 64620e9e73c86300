using System.Text;
using TcpReplay.Engine.Connections;
using static TcpReplay.Engine.Tests.Connections.CopyHarness;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// The comparison of one connection on its own, driven call by call: request captured, online answer, request sent,
/// target answer, close. The harness's engine is the host (fresh time, early answers, statistics).
/// </summary>
public class ResponseComparisonTests
{
    private const uint FirstAnswer = 900_000;
    private const uint TargetData = 5_000_001;
    private const long CaptureEpoch = 1_764_000_000_000_000_000;

    private readonly CopyHarness _lab = new();
    private readonly CopiedConnection _record;
    private readonly ResponseComparison _comparison;

    public ResponseComparisonTests()
    {
        var transfer = new Transfer(0, OnlinePort, Target, TargetPort);
        _record = new CopiedConnection(1, Client, 40000, Online, OnlinePort, 0xC6130001, 40000, transfer, DateTime.UnixEpoch);
        _comparison = new ResponseComparison(_lab.Engine, _record, clientKey: 1);
    }

    /// <summary>The engine's monotonic clock now; a request sent earlier counts as sent now (the host's fresh time).</summary>
    private long T0 => _lab.Now;

    private static byte[] Status(int code) => Encoding.ASCII.GetBytes($"HTTP/1.1 {code} X\r\n");

    [Fact]
    public void PairsARequestWithBothAnswersAtTheClose()
    {
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.OnOnlineData(FirstAnswer, 1001, 100, Status(200), CaptureEpoch + 3_000_000);
        _comparison.OnRequestSent(T0 + 10_000_000);
        _comparison.OnTargetAnswerData(TargetData, 100, Status(200), TargetData, 0, T0 + 15_000_000);
        _comparison.FinishAll();

        Assert.Equal(1, _record.OnlineResponses);
        Assert.Equal(1, _record.Responses);
        Assert.Equal(TimeSpan.FromMilliseconds(3), _record.OnlineResponseTimeAverage);
        Assert.Equal(TimeSpan.FromMilliseconds(5), _record.TargetResponseTimeAverage);
        Assert.Equal(200, _record.LastOnlineStatusCode);
        Assert.Equal(200, _record.LastTargetStatusCode);
        Assert.Equal(1, _lab.Engine.Statistics.ExchangesCompared);
        Assert.Equal(0, _record.StatusMismatches);
    }

    [Fact]
    public void AnOnlineAnswerCapturedBeforeItsRequestIsPairedWhenTheRequestComes()
    {
        _comparison.OnOnlineData(FirstAnswer, 1001, 100, Status(200), CaptureEpoch + 2_000_000);
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.FinishAll();

        Assert.Equal(1, _record.OnlineResponses);
        Assert.Equal(TimeSpan.FromMilliseconds(2), _record.OnlineResponseTimeAverage);
    }

    [Fact]
    public void CountsAStatusMismatchBetweenTheTwoAnswers()
    {
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.OnOnlineData(FirstAnswer, 1001, 100, Status(200), CaptureEpoch + 1);
        _comparison.OnRequestSent(1);
        _comparison.OnTargetAnswerData(TargetData, 100, Status(503), TargetData, 0, 2);
        _comparison.FinishAll();

        Assert.Equal(1, _record.StatusMismatches);
        Assert.Equal(1, _lab.Engine.Statistics.StatusMismatches);
    }

    [Theory]
    [InlineData(100, 0)]
    [InlineData(90, 1)]
    public void TheOnlineAnswerSizeIsWhereTheNextRequestsAcknowledgmentPoints(int targetBytes, int mismatches)
    {
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.OnRequestSent(1);
        _comparison.OnTargetAnswerData(TargetData, targetBytes, Status(200), TargetData, 0, 2);
        _comparison.OnRequestCaptured(FirstAnswer + 100, CaptureEpoch + 10);
        _comparison.FinishAll();

        Assert.Equal(1, _lab.Engine.Statistics.SizesCompared);
        Assert.Equal(mismatches, _record.SizeMismatches);
    }

    [Fact]
    public void TargetTimeUsesTheInterceptClockOnceTheSynAckCaptureIsKnown()
    {
        _comparison.OnSynSent(T0 + 1_000);
        _comparison.OnSynAckCaptured(50_000);
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.OnRequestSent(T0 + 5_000);
        _comparison.OnTargetAnswerData(TargetData, 10, Status(200), TargetData, interceptCapturedAt: 60_000, now: T0 + 900_000);
        _comparison.FinishAll();

        // (answer captured - SYN-ACK captured) - (request sent - SYN sent): the copier's own wait does not count.
        Assert.Equal(TimeSpan.FromTicks(60), _record.TargetResponseTimeAverage);
    }

    [Fact]
    public void ASynAckAfterAResentSynIsNotUsedAsTheInterceptClocksOrigin()
    {
        _comparison.OnSynSent(T0 + 1_000);
        _comparison.OnSynResent();
        _comparison.OnSynAckCaptured(50_000);
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.OnRequestSent(T0 + 5_000);
        _comparison.OnTargetAnswerData(TargetData, 10, Status(200), TargetData, interceptCapturedAt: 60_000, now: T0 + 9_000);

        _comparison.FinishAll();

        // Without the origin the wait at the copier counts (no handshake round trip is known here).
        Assert.Equal(TimeSpan.FromTicks(40), _record.TargetResponseTimeAverage);
    }

    [Fact]
    public void RepeatedTargetDataIsNotCountedTwice()
    {
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.OnRequestSent(1);
        _comparison.OnTargetAnswerData(TargetData, 50, Status(200), TargetData, 0, 2);
        _comparison.OnTargetAnswerData(TargetData, 50, Status(200), TargetData + 50, 0, 3);
        _comparison.OnRequestCaptured(FirstAnswer + 50, CaptureEpoch + 10);
        _comparison.FinishAll();

        Assert.Equal(0, _record.SizeMismatches);
        Assert.Equal(1, _lab.Engine.Statistics.SizesCompared);
    }

    [Fact]
    public void AConnectionWhoseTargetSentNothingIsMarkedSilentAtTheClose()
    {
        _comparison.OnRequestCaptured(FirstAnswer, CaptureEpoch);
        _comparison.OnRequestSent(1);
        _comparison.FinishAll();

        Assert.True(_record.TargetAnsweredNothing);
        Assert.Equal(1, _lab.Engine.Statistics.TargetSilentConnections);
    }

    [Fact]
    public void NothingIsFinishedBeforeTheFirstRequest()
    {
        _comparison.OnOnlineData(FirstAnswer, 1001, 100, Status(200), CaptureEpoch);
        _comparison.FinishAll();

        Assert.Equal(0, _record.OnlineResponses);
        Assert.False(_record.TargetAnsweredNothing);
    }
}
