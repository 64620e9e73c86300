using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace StreamingService;

/// <summary>
/// Drives N concurrent sessions against /stream: frames at a fixed rate for a fixed time, then the end the options ask
/// for; prints one JSON summary (finals received, aborts, partials). Bounded by the deadline in every case.
/// </summary>
internal static class StreamingClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How long an abort-mode client waits after "end" before it drops the connection (well before a final).</summary>
    private static readonly TimeSpan AbortAfterEnd = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(ClientOptions options)
    {
        using var deadline = new CancellationTokenSource(options.Deadline);
        var clock = Stopwatch.StartNew();
        var frame = AudioFrame(options.FrameBytes);
        var sessions = new Task<SessionResult>[options.Sessions];
        for (var i = 0; i < sessions.Length; i++)
        {
            sessions[i] = RunSessionAsync(options, frame, options.Stagger * i, deadline.Token);
        }

        var results = await Task.WhenAll(sessions).ConfigureAwait(false);
        var summary = new
        {
            sessions = results.Length,
            finals = results.Count(r => r.Final),
            aborts = results.Count(r => r.Error is not null && !r.Final),
            noFinal = results.Count(r => !r.Final),
            closedByServer = results.Count(r => r.ServerClosed && !r.ClientClosed),
            closedByClient = results.Count(r => r.ClientClosed),
            partials = results.Sum(r => r.Partials),
            framesSent = results.Sum(r => r.FramesSent),
            endMode = options.EndMode.ToString().ToLowerInvariant(),
            endToFinalMsMax = results.Where(r => r.EndToFinalMs is not null).Select(r => r.EndToFinalMs!.Value).DefaultIfEmpty().Max(),
            elapsedMs = Math.Round(clock.Elapsed.TotalMilliseconds),
            errors = results.Where(r => r.Error is not null).Select(r => r.Error!).Distinct().Take(5).ToArray(),
        };
        Console.WriteLine(JsonSerializer.Serialize(summary, Json));
        return 0;
    }

    private static async Task<SessionResult> RunSessionAsync(ClientOptions options, byte[] frame, TimeSpan startDelay, CancellationToken deadline)
    {
        var result = new SessionResult();
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await Task.Delay(startDelay, deadline).ConfigureAwait(false);
            await socket.ConnectAsync(options.Url, deadline).ConfigureAwait(false);
            var finalSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var receive = ReceiveAsync(socket, result, finalSeen, options.EndMode == EndMode.CloseAfterFinal, deadline);

            // Frames on a fixed timeline from the session's start, as a microphone produces them; a late send does
            // not shift the ones after it.
            var interval = TimeSpan.FromSeconds(1 / options.FramesPerSecond);
            var count = (int)Math.Round(options.Duration.TotalSeconds * options.FramesPerSecond);
            var sessionClock = Stopwatch.StartNew();
            for (var n = 0; n < count; n++)
            {
                var due = interval * n - sessionClock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, deadline).ConfigureAwait(false);
                }

                await socket.SendAsync(frame, WebSocketMessageType.Binary, true, deadline).ConfigureAwait(false);
                result.FramesSent++;
            }

            switch (options.EndMode)
            {
                case EndMode.Close:
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "early", deadline).ConfigureAwait(false);
                    await WaitBoundedAsync(receive, options.FinalTimeout, deadline).ConfigureAwait(false);
                    return result;
                case EndMode.CloseAfterEnd:
                    await socket.SendAsync("end"u8.ToArray(), WebSocketMessageType.Text, true, deadline).ConfigureAwait(false);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "early", deadline).ConfigureAwait(false);
                    result.ClientClosed = true;
                    await WaitBoundedAsync(receive, options.FinalTimeout, deadline).ConfigureAwait(false);
                    return result;
                case EndMode.Abort:
                    await socket.SendAsync("end"u8.ToArray(), WebSocketMessageType.Text, true, deadline).ConfigureAwait(false);

                    // A drop at once can reset the connection before the server has read "end" (Kestrel aborts the
                    // request on the RST); a copier's early close comes after the client's last data has arrived.
                    await Task.Delay(AbortAfterEnd, deadline).ConfigureAwait(false);
                    socket.Abort();
                    return result;
            }

            await socket.SendAsync("end"u8.ToArray(), WebSocketMessageType.Text, true, deadline).ConfigureAwait(false);
            result.EndSentAt = Stopwatch.GetTimestamp();
            await WaitBoundedAsync(receive, options.FinalTimeout, deadline).ConfigureAwait(false);
            if (!result.Final && result.Error is null)
            {
                result.Error = $"no final result within {options.FinalTimeout.TotalSeconds} s";
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            result.Error ??= deadline.IsCancellationRequested ? "the run's deadline passed" : $"{e.GetType().Name}: {e.Message}";
        }

        return result;
    }

    /// <summary>
    /// Reads partials and the final; closes at once after the final when asked to, and answers the server's Close, which
    /// ends the session.
    /// </summary>
    private static async Task ReceiveAsync(ClientWebSocket socket, SessionResult result, TaskCompletionSource finalSeen, bool closeAfterFinal,
        CancellationToken deadline)
    {
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, deadline).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    result.ServerClosed = true;
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", deadline).ConfigureAwait(false);
                    }

                    return;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                if (text.Contains("\"type\":\"final\"", StringComparison.Ordinal))
                {
                    result.Final = true;
                    if (result.EndSentAt != 0)
                    {
                        result.EndToFinalMs = Math.Round(Stopwatch.GetElapsedTime(result.EndSentAt).TotalMilliseconds, 1);
                    }

                    finalSeen.TrySetResult();
                    if (closeAfterFinal && socket.State == WebSocketState.Open)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", deadline).ConfigureAwait(false);
                        result.ClientClosed = true;
                    }
                }
                else
                {
                    result.Partials++;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            result.Error ??= result.Final ? null : $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static async Task WaitBoundedAsync(Task task, TimeSpan timeout, CancellationToken deadline)
    {
        await Task.WhenAny(task, Task.Delay(timeout, deadline)).ConfigureAwait(false);
    }

    /// <summary>16-bit little-endian PCM of a 440 Hz tone at 16 kHz: audio-like, and the same bytes in every frame.</summary>
    private static byte[] AudioFrame(int length)
    {
        var frame = new byte[length];
        for (var i = 0; i + 1 < length; i += 2)
        {
            var sample = (short)(8000 * Math.Sin(2 * Math.PI * 440 * (i / 2) / 16000.0));
            BinaryPrimitives.WriteInt16LittleEndian(frame.AsSpan(i), sample);
        }

        return frame;
    }

    private sealed class SessionResult
    {
        public bool Final;
        public bool ServerClosed;
        public bool ClientClosed;
        public int Partials;
        public long FramesSent;
        public long EndSentAt;
        public double? EndToFinalMs;
        public string? Error;
    }
}
