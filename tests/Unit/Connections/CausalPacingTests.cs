using System.Text;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Tests.Statistics;
using static TcpReplay.Engine.Tests.Connections.CopyHarness;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// Causal pacing (the default) on a WebSocket recognition session as the lab's streaming service plays it: an upgrade,
/// 640-byte audio frames every 100 ms while partial results come from the online server, "end", the final result
/// 800 ms later, and the client's Close frame right after it.
/// </summary>
public class CausalPacingTests
{
    private const uint Isn = 1_000;
    private const uint OnlineIsn = 900_000;
    private const ushort Port = 40000;
    private const int UpgradeAnswer = 129;
    private static readonly byte[] Upgrade = Encoding.ASCII.GetBytes(
        "GET /stream HTTP/1.1\r\nHost: 198.18.0.20:8080\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

    private static readonly byte[] Frame = WebSocketFrames.Binary(640);
    private static readonly byte[] End = WebSocketFrames.Text("end");
    private static readonly byte[] Close = WebSocketFrames.Close("done");

    [Fact]
    public void AudioFramesGoOnTheClientsClockWhilePartialsTheTargetNeverSendsArrive()
    {
        var session = new Session(PacingMode.Causal);
        session.Stream(frames: 20, partialEvery: 3);

        // Every frame went the moment it was captured, though the target sent no partial at all.
        var frames = session.Lab.Sender.Sent.Where(s => s.PayloadLength == Frame.Length).ToList();
        Assert.Equal(20, frames.Count);
        Assert.Equal(20, frames.Select(s => s.Sequence).Distinct().Count());
        Assert.Equal(0, session.Lab.Connection.AnswerHolds);
    }

    [Fact]
    public void TheCloseAfterTheFinalWaitsForTheTargetsFinalNotForAPartialWrittenAsEndCameIn()
    {
        var session = new Session(PacingMode.Causal);
        session.Stream(frames: 20, partialEvery: 3);
        session.SendEnd();
        // A partial the target wrote just as "end" came in: it acknowledges "end" but is not the final.
        session.Lab.Advance(TimeSpan.FromMilliseconds(3));
        session.TargetSends(60);

        session.Lab.Advance(TimeSpan.FromMilliseconds(797));
        session.CloseAfterFinal();
        Assert.DoesNotContain(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);

        // The slower target's final, 1.5 s after "end".
        session.Lab.Advance(TimeSpan.FromMilliseconds(700));
        Assert.DoesNotContain(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);
        session.TargetSends(100);
        Assert.Equal(Close.Length, session.Lab.Sender.Last.PayloadLength);

        var record = session.Lab.Connection;
        Assert.Equal(1, record.AnswerHolds);
        Assert.Equal(TimeSpan.FromMilliseconds(700), record.AnswerHeld);
        Assert.Equal(0, record.AnswerWaitTimeouts);
        Assert.Equal(1, session.Lab.Engine.Statistics.AnswerHolds);
        Assert.Equal(TimeSpan.FromMilliseconds(700), session.Lab.Engine.Statistics.AnswerHeldMax);
    }

    [Fact]
    public void AHeldReactionGoesWhenTheResponseWaitTimeoutRunsOutAndSaysSo()
    {
        var session = new Session(PacingMode.Causal);
        session.StreamThenCloseAfterFinal();

        session.Lab.Advance(TimeSpan.FromSeconds(2.9));
        Assert.DoesNotContain(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);
        session.Lab.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Contains(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);
        Assert.Equal(1, session.Lab.Connection.AnswerWaitTimeouts);
        Assert.Equal(1, session.Lab.Engine.Statistics.AnswerWaitTimeouts);
        Assert.Equal(1, session.Lab.Connection.AnswerHolds);
    }

    [Fact]
    public void TimelineLetsTheCloseFrameOvertakeTheFinal()
    {
        var session = new Session(PacingMode.Timeline);
        session.StreamThenCloseAfterFinal();

        Assert.Equal(Close.Length, session.Lab.Sender.Last.PayloadLength);
    }

    [Fact]
    public void ACloseFrameTheClientSendsOnItsOwnIsHeldLikeTheTcpClose()
    {
        // The client gives up without waiting for the final: "end", then its Close 50 ms later, with no new server data.
        var session = new Session(PacingMode.Causal);
        session.Stream(frames: 20, partialEvery: 3);
        session.SendEnd();
        session.Lab.Advance(TimeSpan.FromMilliseconds(50));
        session.Lab.FromClient(Port, session.NextSequence, session.ClientAck, TcpFlags.Ack | TcpFlags.Psh, bytes: Close);
        Assert.DoesNotContain(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);

        // The target's final 1 s later, then its silence for the drain time (3 s): the Close goes.
        session.Lab.Advance(TimeSpan.FromSeconds(1));
        session.TargetSends(100);
        session.Lab.Advance(TimeSpan.FromSeconds(2.9));
        Assert.DoesNotContain(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);
        session.Lab.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Contains(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);
        Assert.Equal(0, session.Lab.Connection.AnswerWaitTimeouts);
    }

    [Fact]
    public void PlainHttpRequestsNeverWaitForAnswers()
    {
        var lab = new CopyHarness(PacingMode.Causal);
        lab.Establish(Port, Isn);
        var first = Encoding.ASCII.GetBytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        var second = Encoding.ASCII.GetBytes("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        lab.FromClient(Port, Isn + 1, OnlineIsn + 1, TcpFlags.Ack | TcpFlags.Psh, bytes: first);
        // The online answer came a second later and the client asked again at once; the target has not answered yet.
        lab.Advance(TimeSpan.FromSeconds(1));
        lab.FromClient(Port, Isn + 1 + (uint)first.Length, OnlineIsn + 301, TcpFlags.Ack | TcpFlags.Psh, bytes: second);

        Assert.Contains(lab.Sender.Sent, s => s.Sequence == Isn + 1 + (uint)first.Length && s.PayloadLength == second.Length);
        lab.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, lab.Connection.AnswerHolds);
        Assert.Equal(0, lab.Connection.AnswerWaitTimeouts);
    }

    [Fact]
    public void ARetransmissionOfOldTargetDataIsNoAnswer()
    {
        var session = new Session(PacingMode.Causal);
        session.StreamThenCloseAfterFinal();

        // The target resends its last partial (old bytes, with a current acknowledgment number) 1 s later.
        session.Lab.Advance(TimeSpan.FromSeconds(1));
        session.TargetResendsLast();
        Assert.DoesNotContain(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);

        session.TargetSends(100);
        Assert.Equal(Close.Length, session.Lab.Sender.Last.PayloadLength);
    }

    [Fact]
    public void TheTargetsFinEndsTheHold()
    {
        var session = new Session(PacingMode.Causal);
        session.StreamThenCloseAfterFinal();
        session.Lab.Advance(TimeSpan.FromMilliseconds(500));
        Assert.DoesNotContain(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);

        session.TargetCloses();
        Assert.Contains(session.Lab.Sender.Sent, s => s.PayloadLength == Close.Length);
        Assert.Equal(1, session.Lab.Connection.AnswerHolds);
    }

    [Fact]
    public void AHoldCutShortByTheEndOfTheCopyIsStillCounted()
    {
        var session = new Session(PacingMode.Causal);
        session.StreamThenCloseAfterFinal();
        session.Lab.Advance(TimeSpan.FromMilliseconds(400));

        session.TargetResets();

        Assert.Equal(CloseReason.TargetReset, session.Lab.Connection.CloseReason);
        Assert.Equal(1, session.Lab.Connection.AnswerHolds);
        Assert.Equal(TimeSpan.FromMilliseconds(400), session.Lab.Connection.AnswerHeld);
        Assert.Equal(TimeSpan.FromMilliseconds(400), session.Lab.Engine.Statistics.AnswerHeldMax);
    }

    /// <summary>One copied WebSocket session, driven step by step; the client side as captured on the online host.</summary>
    private sealed class Session
    {
        private readonly SentSegment _syn;

        public Session(PacingMode pacing)
        {
            Lab = new CopyHarness(pacing);
            _syn = Lab.Establish(Port, Isn);
            Lab.FromClient(Port, Isn + 1, OnlineIsn + 1, TcpFlags.Ack | TcpFlags.Psh, bytes: Upgrade);
            NextSequence = Isn + 1 + (uint)Upgrade.Length;
            ClientAck = OnlineIsn + 1;
            Lab.Advance(TimeSpan.FromMilliseconds(1));
            TargetSends(UpgradeAnswer);
            ClientAck += UpgradeAnswer;
        }

        public CopyHarness Lab { get; }

        public uint NextSequence { get; private set; }

        public uint ClientAck { get; private set; }

        private uint _targetNext = TargetIsn + 1;
        private int _lastSent;

        /// <summary>Frames every 100 ms; an online partial arrives 30 ms after every n-th frame and the client's kernel acknowledges it 40 ms later.</summary>
        public void Stream(int frames, int partialEvery)
        {
            for (var frame = 0; frame < frames; frame++)
            {
                Lab.Advance(TimeSpan.FromMilliseconds(frame == 0 ? 1 : 30));
                SendClient(Frame);
                TargetAcknowledges();
                if (frame % partialEvery == 0)
                {
                    Lab.Advance(TimeSpan.FromMilliseconds(70));
                    ClientAck += 60;
                    Lab.FromClient(Port, NextSequence, ClientAck, TcpFlags.Ack);
                }
                else
                {
                    Lab.Advance(TimeSpan.FromMilliseconds(70));
                }
            }
        }

        public void SendEnd() => SendClient(End);

        /// <summary>20 frames, "end", and 800 ms later the online final and the client's Close right after it.</summary>
        public void StreamThenCloseAfterFinal()
        {
            Stream(frames: 20, partialEvery: 3);
            SendEnd();
            Lab.Advance(TimeSpan.FromMilliseconds(800));
            CloseAfterFinal();
        }

        /// <summary>The online final (100 bytes) arrived, and the client's Close acknowledges it at once.</summary>
        public void CloseAfterFinal()
        {
            ClientAck += 100;
            SendClient(Close);
        }

        public void TargetAcknowledges() =>
            Lab.FromTarget(_syn.Source, _syn.SourcePort, _targetNext, NextSequence, TcpFlags.Ack);

        public void TargetSends(int bytes)
        {
            Lab.FromTarget(_syn.Source, _syn.SourcePort, _targetNext, NextSequence, TcpFlags.Ack | TcpFlags.Psh, payload: bytes);
            _lastSent = bytes;
            _targetNext += (uint)bytes;
        }

        public void TargetResendsLast() =>
            Lab.FromTarget(_syn.Source, _syn.SourcePort, _targetNext - (uint)_lastSent, NextSequence, TcpFlags.Ack | TcpFlags.Psh, payload: _lastSent);

        public void TargetCloses() => Lab.FromTarget(_syn.Source, _syn.SourcePort, _targetNext, NextSequence, TcpFlags.Ack | TcpFlags.Fin);

        public void TargetResets() => Lab.FromTarget(_syn.Source, _syn.SourcePort, _targetNext, 0, TcpFlags.Rst);

        private void SendClient(byte[] bytes)
        {
            Lab.FromClient(Port, NextSequence, ClientAck, TcpFlags.Ack | TcpFlags.Psh, bytes: bytes);
            NextSequence += (uint)bytes.Length;
        }
    }
}
