using System.Text;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;
using static TcpReplay.Engine.Tests.Connections.CopyHarness;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// Online versus target: every request is paired with the online answer (captured leaving the online host) and the
/// target's (from the intercept, with its first payload bytes), and the differences are counted.
/// </summary>
public class ExchangeComparisonTests
{
    private const uint Isn = 1_000;
    private const uint OnlineIsn = 900_000;
    private const long CaptureEpoch = 1_764_000_000_000_000_000;

    private static byte[] Ok(int size) => Answer("HTTP/1.1 200 OK\r\n", size);

    private static byte[] Answer(string statusLine, int size)
    {
        var bytes = new byte[size];
        Array.Fill(bytes, (byte)'x');
        Encoding.ASCII.GetBytes(statusLine).CopyTo(bytes, 0);
        return bytes;
    }

    private static byte[] Request(string path) => Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n");

    /// <summary>A capture-time clock on the Unix epoch that moves with the harness's engine clock.</summary>
    private static long CaptureTime(CopyHarness lab) => CaptureEpoch + lab.Now;

    private static void FromClient(CopyHarness lab, uint seq, uint ack, byte[] payload, TcpFlags flags = TcpFlags.Ack | TcpFlags.Psh)
    {
        var buffer = lab.Engine.Pool.Rent();
        buffer.Length = SegmentWriter.Write(buffer.Array, Client, 40000, Online, OnlinePort, seq, ack, flags, 502, [], payload, 1);
        buffer.TimestampNanoseconds = CaptureTime(lab);
        lab.Engine.Process(new EngineEvent(EngineEventKind.ClientPacket, buffer, LinkType.Ipv4), lab.Now);
    }

    private static void OnlineAnswer(CopyHarness lab, uint seq, uint ack, byte[] payload, long? capturedAt = null)
    {
        var buffer = lab.Engine.Pool.Rent();
        buffer.Length = SegmentWriter.Write(buffer.Array, Online, OnlinePort, Client, 40000, seq, ack, TcpFlags.Ack | TcpFlags.Psh, 502, [], payload, 1);
        buffer.TimestampNanoseconds = capturedAt ?? CaptureTime(lab);
        lab.Engine.Process(new EngineEvent(EngineEventKind.OnlinePacket, buffer, LinkType.Ipv4), lab.Now);
    }

    /// <summary>A target answer as the intercept reports it with the payload extension: headers plus the first bytes.</summary>
    private static void TargetAnswer(CopyHarness lab, SentSegment syn, uint seq, uint ack, byte[] payload, int carried = 64)
    {
        var packet = new byte[2048];
        var length = SegmentWriter.Write(packet, Target, TargetPort, syn.Source, syn.SourcePort, seq, ack, TcpFlags.Ack | TcpFlags.Psh, 65535, [], payload, 7);
        var record = packet.AsSpan(0, 40);
        lab.Engine.PostTargetPacket(record, payload.AsSpan(0, Math.Min(carried, payload.Length)));
        _ = length;
        DrainPosted(lab);
    }

    // PostTargetPacket queues for the engine thread; the harness has none, so the test runs the queue.
    private static void DrainPosted(CopyHarness lab) => lab.Engine.ProcessQueued(lab.Now);

    private static SentSegment Open(CopyHarness lab, TimeSpan handshake)
    {
        FromClient(lab, Isn, 0, [], TcpFlags.Syn);
        var syn = lab.Sender.Last;
        lab.Time.Advance(handshake);
        lab.FromTarget(syn.Source, syn.SourcePort, TargetIsn, Isn + 1, TcpFlags.Syn | TcpFlags.Ack);
        return syn;
    }

    [Fact]
    public void EachRequestGetsBothResponseTimesStatusCodesAndSizes()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        var syn = Open(lab, TimeSpan.FromMilliseconds(2));
        var first = Request("/a");
        var second = Request("/fail");

        FromClient(lab, Isn + 1, OnlineIsn + 1, first);
        lab.Time.Advance(TimeSpan.FromMilliseconds(1));
        OnlineAnswer(lab, OnlineIsn + 1, Isn + 1 + (uint)first.Length, Ok(100));
        lab.Time.Advance(TimeSpan.FromMilliseconds(21));
        TargetAnswer(lab, syn, TargetIsn + 1, Isn + 1 + (uint)first.Length, Ok(100));

        FromClient(lab, Isn + 1 + (uint)first.Length, OnlineIsn + 101, second);
        lab.Time.Advance(TimeSpan.FromMilliseconds(1));
        OnlineAnswer(lab, OnlineIsn + 101, Isn + 1 + (uint)(first.Length + second.Length), Ok(100));
        lab.Time.Advance(TimeSpan.FromMilliseconds(21));
        TargetAnswer(lab, syn, TargetIsn + 101, Isn + 1 + (uint)(first.Length + second.Length), Answer("HTTP/1.1 500 Internal Server Error\r\n", 90));
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        var record = lab.Connection;
        var stats = lab.Engine.Statistics;
        Assert.Equal(2, record.Requests);
        Assert.Equal(2, record.Responses);
        Assert.Equal(2, record.OnlineResponses);
        Assert.Equal(200, record.LastOnlineStatusCode);
        Assert.Equal(500, record.LastTargetStatusCode);
        Assert.Equal(1, record.StatusMismatches);
        Assert.Equal(1, record.SizeMismatches);
        Assert.Equal(TimeSpan.FromMilliseconds(1), record.OnlineResponseTimeMax);
        Assert.Equal(TimeSpan.FromMilliseconds(20), record.TargetResponseTimeMax);
        Assert.Equal(TimeSpan.FromMilliseconds(20), record.TargetResponseTimeAverage);
        Assert.Equal(200, record.OnlineBytes);
        Assert.False(record.TargetAnsweredNothing);

        Assert.Equal(2, stats.ExchangesCompared);
        Assert.Equal(2, stats.StatusCodesCompared);
        Assert.Equal(1, stats.StatusMismatches);
        Assert.Equal(2, stats.SizesCompared);
        Assert.Equal(1, stats.SizeMismatches);
        Assert.InRange(stats.TargetResponseTimeP50!.Value.TotalMilliseconds, 19.5, 20.5);
        Assert.InRange(stats.OnlineResponseTimeP50!.Value.TotalMilliseconds, 0.97, 1.03);

        var exchanges = lab.Engine.GetExchanges();
        Assert.Equal(2, exchanges.Count);
        Assert.Equal((1L, 200, 200, 100L, 100L), (exchanges[0].Request, exchanges[0].OnlineStatusCode!.Value, exchanges[0].TargetStatusCode!.Value, exchanges[0].OnlineResponseBytes!.Value, exchanges[0].TargetResponseBytes!.Value));
        Assert.True(exchanges[1].StatusMismatch);
        Assert.True(exchanges[1].SizeMismatch);
        Assert.Equal(record.Id, exchanges[1].ConnectionId);
    }

    [Fact]
    public void WithInterceptCaptureTimesTheChannelDelayCancelsOut()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        const long InterceptClock = 5_000_000_000_000; // another host's clock: only differences on it matter
        FromClient(lab, Isn, 0, [], TcpFlags.Syn);
        var syn = lab.Sender.Last;
        lab.Time.Advance(TimeSpan.FromMilliseconds(9)); // 1 ms to the intercept, 8 ms of channel and queue
        var synAck = new byte[60];
        var length = SegmentWriter.Write(synAck, Target, TargetPort, syn.Source, syn.SourcePort, TargetIsn, Isn + 1, TcpFlags.Syn | TcpFlags.Ack, 65535, [], [], 7);
        lab.Engine.PostTargetPacket(synAck.AsSpan(0, length), default, InterceptClock + 1_000_000);
        DrainPosted(lab);

        var request = Request("/");
        FromClient(lab, Isn + 1, OnlineIsn + 1, request);
        // The request leaves 9 ms after the SYN; the target thinks 20 ms, so its answer reaches the intercept 1 + 20 ms later,
        // and the copier 30 ms after that (a slow channel at this moment): 51 ms at the copier, 20 ms on the intercept clock.
        lab.Time.Advance(TimeSpan.FromMilliseconds(51));
        var packet = new byte[200];
        length = SegmentWriter.Write(packet, Target, TargetPort, syn.Source, syn.SourcePort, TargetIsn + 1, Isn + 1 + (uint)request.Length, TcpFlags.Ack | TcpFlags.Psh, 65535, [], Ok(60), 7);
        lab.Engine.PostTargetPacket(packet.AsSpan(0, 40), Ok(60), InterceptClock + 1_000_000 + 9_000_000 + 20_000_000);
        DrainPosted(lab);
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromMilliseconds(20), lab.Connection.TargetResponseTimeMax);
        Assert.Equal(TimeSpan.FromMilliseconds(9), lab.Connection.HandshakeRtt);
    }

    [Fact]
    public void AnswersThatComeAfterTheNextRequestWasSentStayWithTheirOwnRequests()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        var syn = Open(lab, TimeSpan.FromMilliseconds(1));
        var first = Request("/a");
        var second = Request("/fail");
        var fail = Answer("HTTP/1.1 500 Internal Server Error\r\n", 90);

        // The copy lags: both requests go before the target's first answer arrives.
        FromClient(lab, Isn + 1, OnlineIsn + 1, first);
        OnlineAnswer(lab, OnlineIsn + 1, Isn + 1 + (uint)first.Length, Ok(100));
        FromClient(lab, Isn + 1 + (uint)first.Length, OnlineIsn + 101, second);
        OnlineAnswer(lab, OnlineIsn + 101, Isn + 1 + (uint)(first.Length + second.Length), Ok(100));
        var acked = Isn + 1 + (uint)(first.Length + second.Length);
        TargetAnswer(lab, syn, TargetIsn + 1, acked, Ok(100));
        TargetAnswer(lab, syn, TargetIsn + 101, acked, fail);
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        var exchanges = lab.Engine.GetExchanges();
        Assert.Equal([200, 500], exchanges.Select(e => e.TargetStatusCode!.Value));
        Assert.Equal([100L, 90L], exchanges.Select(e => e.TargetResponseBytes!.Value));
        Assert.Equal(1, lab.Engine.Statistics.StatusMismatches);
    }

    [Fact]
    public void AnOnlineAnswerCapturedBeforeItsRequestIsStillPairedByItsSequenceNumber()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        Open(lab, TimeSpan.FromMilliseconds(1));
        var request = Request("/");
        var requestCapturedAt = CaptureTime(lab);

        // The answer's capture thread delivered first; its timestamp is still 3 ms after the request's.
        OnlineAnswer(lab, OnlineIsn + 1, Isn + 1 + (uint)request.Length, Answer("HTTP/1.1 404 Not Found\r\n", 50), requestCapturedAt + 3_000_000);
        FromClient(lab, Isn + 1, OnlineIsn + 1, request);
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        var record = lab.Connection;
        Assert.Equal(1, record.OnlineResponses);
        Assert.Equal(TimeSpan.FromMilliseconds(3), record.OnlineResponseTimeMax);
        Assert.Equal(404, record.LastOnlineStatusCode);
    }

    [Fact]
    public void AnOnlineAnswerThatOvertookTheWholeConnectionIsStillPaired()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        var request = Request("/");
        var requestCapturedAt = CaptureTime(lab);

        // The answer capture delivered before the client capture delivered even the SYN.
        OnlineAnswer(lab, OnlineIsn + 1, Isn + 1 + (uint)request.Length, Answer("HTTP/1.1 503 Busy\r\n", 40), requestCapturedAt + 2_000_000);
        Open(lab, TimeSpan.FromMilliseconds(1));
        FromClient(lab, Isn + 1, OnlineIsn + 1, request);
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        Assert.Equal(1, lab.Engine.Statistics.OnlinePacketsUnmatched);
        Assert.Equal(503, lab.Connection.LastOnlineStatusCode);
        Assert.Equal(1, lab.Connection.OnlineResponses);
    }

    [Fact]
    public void TwoOnlineAnswersThatOvertookTheConnectionAreEachPairedOnce()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        var first = Request("/a");
        var second = Request("/b");
        var firstAnswer = Answer("HTTP/1.1 503 Busy\r\n", 40);
        var capturedAt = CaptureTime(lab);

        OnlineAnswer(lab, OnlineIsn + 1, Isn + 1 + (uint)first.Length, firstAnswer, capturedAt + 2_000_000);
        OnlineAnswer(lab, OnlineIsn + 1 + (uint)firstAnswer.Length, Isn + 1 + (uint)(first.Length + second.Length), Answer("HTTP/1.1 404 Not Found\r\n", 40), capturedAt + 3_000_000);
        Open(lab, TimeSpan.FromMilliseconds(1));
        FromClient(lab, Isn + 1, OnlineIsn + 1, first);
        FromClient(lab, Isn + 1 + (uint)first.Length, OnlineIsn + 1 + (uint)firstAnswer.Length, second);
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        Assert.Equal(2, lab.Engine.Statistics.OnlinePacketsUnmatched);
        Assert.Equal(404, lab.Connection.LastOnlineStatusCode);
        Assert.Equal(2, lab.Connection.OnlineResponses);
    }

    [Fact]
    public void AConnectionWhoseTargetNeverAnsweredIsCountedAsSilent()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        Open(lab, TimeSpan.FromMilliseconds(1));
        FromClient(lab, Isn + 1, OnlineIsn + 1, Request("/"));
        OnlineAnswer(lab, OnlineIsn + 1, Isn + 1 + (uint)Request("/").Length, Ok(80));
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        Assert.True(lab.Connection.TargetAnsweredNothing);
        Assert.Equal(0, lab.Connection.Responses);
        Assert.Equal(1, lab.Engine.Statistics.TargetSilentConnections);
        Assert.Equal(1, lab.Engine.Statistics.SizeMismatches);
    }

    [Fact]
    public void PipelinedHttpRequestsWithTheSameAcknowledgmentCountAsTwoRequests()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        Open(lab, TimeSpan.FromMilliseconds(1));
        var first = Request("/one");
        FromClient(lab, Isn + 1, OnlineIsn + 1, first);
        FromClient(lab, Isn + 1 + (uint)first.Length, OnlineIsn + 1, Request("/two"));

        Assert.Equal(2, lab.Connection.Requests);
    }

    [Fact]
    public void ANonHttpContinuationWithTheSameAcknowledgmentIsPartOfTheSameRequest()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        Open(lab, TimeSpan.FromMilliseconds(1));
        FromClient(lab, Isn + 1, OnlineIsn + 1, Encoding.ASCII.GetBytes("POST /upload HTTP/1.1\r\nContent-Length: 5\r\n\r\n"));
        FromClient(lab, Isn + 1 + 45, OnlineIsn + 1, Encoding.ASCII.GetBytes("hello"));

        Assert.Equal(1, lab.Connection.Requests);
    }

    [Fact]
    public void WithoutTheOnlineCaptureOnlyTheTargetSideIsMeasured()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        var syn = Open(lab, TimeSpan.FromMilliseconds(1));
        var request = Request("/");
        FromClient(lab, Isn + 1, OnlineIsn + 1, request);
        lab.Time.Advance(TimeSpan.FromMilliseconds(6));
        TargetAnswer(lab, syn, TargetIsn + 1, Isn + 1 + (uint)request.Length, Ok(70));
        lab.Engine.Stop(TimeSpan.FromSeconds(1));

        var record = lab.Connection;
        Assert.Equal(0, record.OnlineResponses);
        Assert.Null(record.OnlineResponseTimeAverage);
        Assert.Equal(TimeSpan.FromMilliseconds(5), record.TargetResponseTimeAverage);
        Assert.Equal(200, record.LastTargetStatusCode);
        Assert.Equal(0, lab.Engine.Statistics.StatusCodesCompared);
        Assert.Null(lab.Engine.Statistics.OnlineResponseTimeP50);
    }

    [Fact]
    public void ComparingAnswersAllocatesNothingInSteadyState()
    {
        var lab = new CopyHarness(PacingMode.Timeline);
        var syn = Open(lab, TimeSpan.FromMilliseconds(1));
        var request = Request("/steady");
        var answer = Ok(120);
        const int Rounds = 600;
        var client = new byte[Rounds][];
        var online = new byte[Rounds][];
        var target = new byte[Rounds][];
        uint seq = Isn + 1;
        for (var i = 0; i < Rounds; i++)
        {
            var onlineSeq = OnlineIsn + 1 + (uint)(i * answer.Length);
            var targetSeq = TargetIsn + 1 + (uint)(i * answer.Length);
            client[i] = Frame(Client, 40000, Online, OnlinePort, seq, onlineSeq, request);
            seq += (uint)request.Length;
            online[i] = Frame(Online, OnlinePort, Client, 40000, onlineSeq, seq, answer);
            target[i] = Frame(Target, TargetPort, syn.Source, syn.SourcePort, targetSeq, seq, answer);
        }

        var engine = lab.Engine;
        void Round(int i)
        {
            Feed(engine, EngineEventKind.ClientPacket, client[i], CaptureTime(lab));
            Feed(engine, EngineEventKind.OnlinePacket, online[i], CaptureTime(lab) + 500_000);
            Feed(engine, EngineEventKind.TargetPacket, target[i], 0);
        }

        for (var i = 0; i < 100; i++)
        {
            Round(i);
        }

        lab.Sender.Recording = false;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < Rounds; i++)
        {
            Round(i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(engine.Statistics.ExchangesCompared >= Rounds - 2);
        Assert.Equal(0, engine.Statistics.StatusMismatches);
    }

    private static byte[] Frame(uint source, ushort sourcePort, uint destination, ushort destinationPort, uint seq, uint ack, byte[] payload)
    {
        var frame = new byte[60 + payload.Length];
        var length = SegmentWriter.Write(frame, source, sourcePort, destination, destinationPort, seq, ack, TcpFlags.Ack | TcpFlags.Psh, 1000, [], payload, 1);
        return frame[..length];
    }

    private static void Feed(CopyEngine engine, EngineEventKind kind, byte[] frame, long capturedAt)
    {
        var buffer = engine.Pool.Rent();
        frame.CopyTo(buffer.Array, 0);
        buffer.Length = frame.Length;
        buffer.TimestampNanoseconds = capturedAt;
        engine.Process(new EngineEvent(kind, buffer, LinkType.Ipv4), engine.NowNanoseconds());
    }
}
