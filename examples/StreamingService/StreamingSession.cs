using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace StreamingService;

/// <summary>
/// One WebSocket session of the speech-recognition-like protocol. The client sends binary frames, then the text
/// message "end"; the server sends text partial results while frames arrive (after a random number of frames, or at
/// random moments), and the final result a random delay from <see cref="ServiceOptions.FinalDelay"/> to
/// <see cref="ServiceOptions.FinalDelayMax"/> after "end"; then the server closes, or waits for the client's Close.
/// A Close frame from the client after "end" but before the final aborts the recognition, as the real service does
/// (<see cref="EarlyCloseMode.Tolerate"/> keeps the final instead); a connection that ends without a Close frame before
/// the final always aborts it.
/// </summary>
internal sealed class StreamingSession
{
    private const int MaxTextMessage = 4096;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] Words =
        ["the", "copy", "target", "online", "stream", "frame", "partial", "result", "packet", "close", "timeline", "answer"];

    private readonly WebSocket _socket;
    private readonly ServiceOptions _options;
    private readonly string _id = Guid.NewGuid().ToString("n")[..12];
    private readonly TaskCompletionSource _endReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _partialDue = new(0);
    private readonly Lock _partialLock = new();
    private long _nextPartialAtFrame;
    private bool _partialSignalled;
    private long _frames;
    private long _bytes;
    private int _partials;
    private string? _receiveEnd;
    private bool _closeFrameReceived;
    private readonly Stopwatch _clock = new();
    private TimeSpan _closeFrameAt;

    public StreamingSession(WebSocket socket, ServiceOptions options)
    {
        _socket = socket;
        _options = options;
    }

    public async Task<SessionOutcome> RunAsync(string remote, int remotePort, CancellationToken aborted)
    {
        var start = DateTimeOffset.UtcNow;
        _clock.Start();
        var clock = _clock;
        var receive = ReceiveAsync(aborted);
        string outcome;
        string? reason = null;
        var final = false;
        double? endToFinal = null;
        var closeBeforeFinal = false;
        var handshake = false;
        TimeSpan? finalDelay = null;
        try
        {
            if (_options.Partials == PartialMode.Timed)
            {
                await SendTimedPartialsAsync(receive, aborted).ConfigureAwait(false);
            }
            else
            {
                await SendFramePartialsAsync(receive, aborted).ConfigureAwait(false);
            }

            if (!_endReceived.Task.IsCompleted)
            {
                // The receive loop ended before "end": a Close frame (early close) or a dead connection (abort).
                await receive.ConfigureAwait(false);
                if (_closeFrameReceived)
                {
                    outcome = "early-close";
                    reason = "the client sent a Close frame before its \"end\" message";
                    await CloseOutputAsync(aborted).ConfigureAwait(false);
                    handshake = _socket.State == WebSocketState.Closed;
                }
                else
                {
                    outcome = "abort";
                    reason = _receiveEnd;
                }
            }
            else
            {
                var endAt = clock.Elapsed;
                var delay = _options.FinalDelay + (Random.Shared.NextDouble() * (_options.FinalDelayMax - _options.FinalDelay));
                finalDelay = delay;
                var due = Task.Delay(delay, aborted);
                await Task.WhenAny(due, receive).ConfigureAwait(false);
                if (_closeFrameReceived && _options.EarlyClose == EarlyCloseMode.Abort)
                {
                    outcome = "abort";
                    reason = EarlyCloseReason(endAt, delay);
                    await CloseOutputAsync(aborted).ConfigureAwait(false);
                    handshake = true;
                }
                else if (!due.IsCompleted && !_closeFrameReceived)
                {
                    // The connection went away while the final was being prepared.
                    outcome = "abort";
                    reason = $"{_receiveEnd} ({(clock.Elapsed - endAt).TotalMilliseconds:F0} ms after \"end\", before the final result)";
                }
                else
                {
                    await due.ConfigureAwait(false);
                    // .NET timers run on a millisecond clock and may fire a fraction of a millisecond early; the final
                    // result must never come before the configured delay.
                    var early = delay - (clock.Elapsed - endAt);
                    if (early > TimeSpan.Zero)
                    {
                        await Task.Delay(early + TimeSpan.FromMilliseconds(1), aborted).ConfigureAwait(false);
                    }

                    if (receive.IsCompleted && !_closeFrameReceived)
                    {
                        outcome = "abort";
                        reason = $"{_receiveEnd} (before the final result)";
                    }
                    else if (_closeFrameReceived && _options.EarlyClose == EarlyCloseMode.Abort)
                    {
                        outcome = "abort";
                        reason = EarlyCloseReason(endAt, delay);
                        await CloseOutputAsync(aborted).ConfigureAwait(false);
                        handshake = true;
                    }
                    else
                    {
                        closeBeforeFinal = _closeFrameReceived;
                        var frames = Volatile.Read(ref _frames);
                        await SendTextAsync(new { type = "final", session = _id, frames, bytes = Volatile.Read(ref _bytes), text = Babble(frames) }, aborted)
                            .ConfigureAwait(false);
                        final = true;
                        outcome = "final";
                        endToFinal = (clock.Elapsed - endAt).TotalMilliseconds;
                        handshake = _options.Closer == Closer.Server
                            ? await CloseAfterFinalAsync(receive, aborted).ConfigureAwait(false)
                            : await AnswerClientCloseAsync(receive, aborted).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // The connection was reset or aborted under us (Kestrel cancels RequestAborted when it sees the client's FIN
            // or RST), while a send or a wait was in flight.
            var cause = aborted.IsCancellationRequested ? "the connection was aborted" : $"{e.GetType().Name}: {e.Message}";
            outcome = final ? "final" : "abort";
            reason ??= final ? $"{cause} after the final result" : $"{cause} (before the final result)";
        }

        try
        {
            await receive.ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // ReceiveAsync records its own failures; nothing more to learn here.
        }

        return new SessionOutcome
        {
            Session = _id,
            Outcome = outcome,
            Final = final,
            Reason = reason,
            Remote = remote,
            RemotePort = remotePort,
            Start = start,
            End = DateTimeOffset.UtcNow,
            DurationMs = clock.Elapsed.TotalMilliseconds,
            Frames = Volatile.Read(ref _frames),
            Bytes = Volatile.Read(ref _bytes),
            Partials = _partials,
            EndReceived = _endReceived.Task.IsCompleted,
            EndToFinalMs = endToFinal,
            CloseBeforeFinal = closeBeforeFinal,
            CloseHandshake = handshake,
            FinalDelayMs = finalDelay?.TotalMilliseconds,
            CloseFrameAtMs = _closeFrameReceived ? _closeFrameAt.TotalMilliseconds : null,
        };
    }

    /// <summary>Partials after a random number of new frames (and a random processing delay), until "end".</summary>
    private async Task SendFramePartialsAsync(Task receive, CancellationToken aborted)
    {
        ScheduleNextPartial();
        while (!_endReceived.Task.IsCompleted && !receive.IsCompleted)
        {
            var due = _partialDue.WaitAsync(aborted);
            await Task.WhenAny(due, _endReceived.Task, receive).ConfigureAwait(false);
            if (!due.IsCompleted)
            {
                // The wait is abandoned with the loop; a later Release finds no one and harms nothing.
                continue;
            }

            await due.ConfigureAwait(false);
            var jitter = Random.Shared.NextDouble() * _options.PartialJitter;
            if (jitter > TimeSpan.Zero)
            {
                await Task.WhenAny(Task.Delay(jitter, aborted), _endReceived.Task, receive).ConfigureAwait(false);
            }

            if (!_endReceived.Task.IsCompleted && !receive.IsCompleted)
            {
                var frames = Volatile.Read(ref _frames);
                await SendTextAsync(new { type = "partial", seq = ++_partials, frames, text = Babble(frames) }, aborted).ConfigureAwait(false);
            }

            ScheduleNextPartial();
        }
    }

    /// <summary>Partials at random moments (gaps drawn from the configured range), whatever the frames, until "end".</summary>
    private async Task SendTimedPartialsAsync(Task receive, CancellationToken aborted)
    {
        while (!_endReceived.Task.IsCompleted && !receive.IsCompleted)
        {
            var gap = _options.PartialIntervalMin + (Random.Shared.NextDouble() * (_options.PartialIntervalMax - _options.PartialIntervalMin));
            await Task.WhenAny(Task.Delay(gap, aborted), _endReceived.Task, receive).ConfigureAwait(false);
            if (!_endReceived.Task.IsCompleted && !receive.IsCompleted)
            {
                var frames = Volatile.Read(ref _frames);
                await SendTextAsync(new { type = "partial", seq = ++_partials, frames, text = Babble(frames) }, aborted).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads until the client's Close frame or the connection's end; records which in the fields.</summary>
    private async Task ReceiveAsync(CancellationToken aborted)
    {
        var buffer = new byte[64 * 1024];
        var text = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, aborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closeFrameAt = _clock.Elapsed;
                    _closeFrameReceived = true;
                    _receiveEnd = $"Close frame {result.CloseStatus}";
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Interlocked.Add(ref _bytes, result.Count);
                    if (result.EndOfMessage)
                    {
                        CountFrame();
                    }

                    continue;
                }

                if (text.Length + result.Count <= MaxTextMessage)
                {
                    text.Write(buffer, 0, result.Count);
                }

                if (result.EndOfMessage)
                {
                    var message = Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length).Trim();
                    text.SetLength(0);
                    if (message == "end")
                    {
                        _endReceived.TrySetResult();
                    }
                }
            }
        }
        catch (WebSocketException e) when (e.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
        {
            _receiveEnd = "the connection ended without a Close frame";
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            _receiveEnd = $"the connection failed: {e.GetType().Name}: {e.Message}";
        }
    }

    private void CountFrame()
    {
        lock (_partialLock)
        {
            var frames = Interlocked.Increment(ref _frames);
            if (!_partialSignalled && frames >= _nextPartialAtFrame)
            {
                _partialSignalled = true;
                _partialDue.Release();
            }
        }
    }

    /// <summary>
    /// The next partial is due after a random number of new frames. Only frames trigger it: a copy that holds the
    /// client's audio while it waits for an answer gets none (the stall WaitResponse pacing runs into).
    /// </summary>
    private void ScheduleNextPartial()
    {
        lock (_partialLock)
        {
            _partialSignalled = false;
            _nextPartialAtFrame = Volatile.Read(ref _frames) + Random.Shared.Next(_options.PartialMinFrames, _options.PartialMaxFrames + 1);
        }
    }

    /// <summary>Closes after the final: answers the client's Close, or sends ours and waits (bounded) for the answer.</summary>
    private async Task<bool> CloseAfterFinalAsync(Task receive, CancellationToken aborted)
    {
        await CloseOutputAsync(aborted).ConfigureAwait(false);
        await Task.WhenAny(receive, Task.Delay(_options.CloseTimeout, aborted)).ConfigureAwait(false);
        return _closeFrameReceived;
    }

    /// <summary>After the final, the client closes: wait (bounded) for its Close frame and answer it.</summary>
    private async Task<bool> AnswerClientCloseAsync(Task receive, CancellationToken aborted)
    {
        await Task.WhenAny(receive, Task.Delay(_options.CloseTimeout, aborted)).ConfigureAwait(false);
        await CloseOutputAsync(aborted).ConfigureAwait(false);
        return _closeFrameReceived;
    }

    private string EarlyCloseReason(TimeSpan endAt, TimeSpan finalDelay) =>
        $"the client's Close frame came {(_closeFrameAt - endAt).TotalMilliseconds:F0} ms after \"end\", before the final result " +
        $"(due {finalDelay.TotalMilliseconds:F0} ms after \"end\"): recognition aborted";

    private async Task CloseOutputAsync(CancellationToken aborted)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", aborted).ConfigureAwait(false);
        }
    }

    private Task SendTextAsync<T>(T message, CancellationToken aborted) =>
        _socket.SendAsync(new ReadOnlyMemory<byte>(JsonSerializer.SerializeToUtf8Bytes(message, Json)), WebSocketMessageType.Text, true, aborted).AsTask();

    /// <summary>Random words: two servers never agree on a transcript, as two recognizer builds would not.</summary>
    private static string Babble(long frames)
    {
        var count = 1 + (int)Math.Min(frames / 10, 8) + Random.Shared.Next(3);
        var words = new string[count];
        for (var i = 0; i < count; i++)
        {
            words[i] = Words[Random.Shared.Next(Words.Length)];
        }

        return string.Join(' ', words);
    }
}
