using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Tests.Connections;

public class ClientRhythmTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public void FramesOnTheClientsOwnClockAreNoReactionsWhatEverArrivesMeanwhile()
    {
        var rhythm = new ClientRhythm();
        uint ack = 1;
        for (var frame = 0; frame < 20; frame++)
        {
            var at = frame * 100 * Ms;
            // A partial result arrives 60 ms before every other frame, acknowledged only by the frame itself.
            if (frame % 2 == 1)
            {
                ack += 50;
            }

            rhythm.OnAcknowledgment(ack, at);
            Assert.False(rhythm.IsReaction(ack, at, out _), $"frame {frame}");
        }
    }

    [Fact]
    public void AMessageRightAfterAnAnswerThatEndedALongSilenceIsAReaction()
    {
        var rhythm = Streamed(frames: 20, out var ack, out var at);
        // "end" right after the last frame, then the final result 800 ms later, and the Close 1 ms after it.
        rhythm.OnAcknowledgment(ack, at + Ms);
        Assert.False(rhythm.IsReaction(ack, at + Ms, out _));
        var closeAt = at + (801 * Ms);
        rhythm.OnAcknowledgment(ack + 100, closeAt - (Ms / 2));
        Assert.True(rhythm.IsReaction(ack + 100, closeAt, out var answerDelay));
        Assert.Equal((800 * Ms) - (Ms / 2), answerDelay);
    }

    [Fact]
    public void DataLongAfterTheClientAcknowledgedTheServersDataIsNoReaction()
    {
        var rhythm = Streamed(frames: 20, out var ack, out var at);
        // The server spoke 50 ms after the last frame (a bare ACK says so); the client speaks again a second later.
        rhythm.OnAcknowledgment(ack + 60, at + (50 * Ms));
        Assert.False(rhythm.IsReaction(ack + 60, at + (1_050 * Ms), out _));
    }

    [Fact]
    public void DataAfterASilenceWithNothingFromTheServerIsNoReaction()
    {
        var rhythm = Streamed(frames: 20, out var ack, out var at);
        rhythm.OnAcknowledgment(ack, at + (900 * Ms));
        Assert.False(rhythm.IsReaction(ack, at + (900 * Ms), out _));
    }

    [Fact]
    public void UntilTheRhythmIsKnownOnlyASilenceOfHalfASecondCounts()
    {
        var rhythm = new ClientRhythm();
        rhythm.OnAcknowledgment(1, 0);
        Assert.False(rhythm.IsReaction(1, 0, out _));
        Assert.Equal(ClientRhythm.FirstSilence, rhythm.SilenceThreshold());
        // The answer to the first message came 300 ms later and the client reacted at once: too soon to tell.
        rhythm.OnAcknowledgment(200, 300 * Ms);
        Assert.False(rhythm.IsReaction(200, 300 * Ms, out _));
        rhythm.OnAcknowledgment(400, 1_000 * Ms);
        Assert.True(rhythm.IsReaction(400, 1_000 * Ms, out _));
    }

    [Fact]
    public void PiecesOfOneWriteDoNotShortenTheRhythm()
    {
        var rhythm = Streamed(frames: 10, out var ack, out var at);
        // A frame written as ten segments 0.1 ms apart: more pieces than the rhythm remembers gaps.
        for (var piece = 1; piece <= 10; piece++)
        {
            Assert.False(rhythm.IsReaction(ack, at + (piece * Ms / 10), out _));
        }

        Assert.Equal(200 * Ms, rhythm.SilenceThreshold());
    }

    /// <summary>A client that sent a frame every 100 ms, with nothing from the server in between.</summary>
    private static ClientRhythm Streamed(int frames, out uint ack, out long lastAt)
    {
        var rhythm = new ClientRhythm();
        ack = 1_000;
        lastAt = 0;
        for (var frame = 0; frame < frames; frame++)
        {
            lastAt = frame * 100 * Ms;
            rhythm.OnAcknowledgment(ack, lastAt);
            rhythm.IsReaction(ack, lastAt, out _);
        }

        return rhythm;
    }
}
