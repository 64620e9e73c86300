namespace StreamingService;

/// <summary>How the client ends each session: the normal way, or one of the two ways that abort the server's work.</summary>
internal enum EndMode
{
    /// <summary>Send "end", wait for the final result and the server's Close, answer it.</summary>
    Final,

    /// <summary>
    /// Send "end"; once the final result is in, send a Close frame at once, wait (bounded) for the server's Close and
    /// close the connection: what Python's websockets client does when its <c>async with</c> block ends.
    /// </summary>
    CloseAfterFinal,

    /// <summary>
    /// Send "end" and a Close frame right after it, without waiting for the final: what a copier that lets the client's
    /// Close overtake the target's final does (a strict server aborts; a tolerant one still sends the final).
    /// </summary>
    CloseAfterEnd,

    /// <summary>Send a Close frame instead of "end" (the server logs early-close).</summary>
    Close,

    /// <summary>Send "end" and drop the connection 50 ms later, without a Close frame (the server logs abort).</summary>
    Abort,
}

/// <summary>The client mode's settings, from the command line (README.md lists every flag).</summary>
internal sealed class ClientOptions
{
    public required Uri Url { get; init; }

    public required int Sessions { get; init; }

    public required double FramesPerSecond { get; init; }

    public required TimeSpan Duration { get; init; }

    public required int FrameBytes { get; init; }

    /// <summary>Session n starts n × this after the first, so a burst of handshakes does not hide the streaming.</summary>
    public required TimeSpan Stagger { get; init; }

    public required TimeSpan FinalTimeout { get; init; }

    /// <summary>The whole run ends by then, whatever is still open (counted as no final).</summary>
    public required TimeSpan Deadline { get; init; }

    public required EndMode EndMode { get; init; }

    public static ClientOptions Parse(CommandLine args)
    {
        var urlText = args.String("url", "ws://127.0.0.1:8080/stream");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("ws" or "wss"))
        {
            throw new UsageException($"--url must be a ws:// URL such as ws://198.18.0.20:8080/stream, not '{urlText}'.");
        }

        var options = new ClientOptions
        {
            Url = url,
            Sessions = args.Int("sessions", 1, 1, 1000),
            FramesPerSecond = args.Double("fps", 50, 0.1, 1000),
            Duration = TimeSpan.FromSeconds(args.Double("duration-seconds", 2, 0, 300)),
            FrameBytes = args.Int("frame-bytes", 640, 1, 1024 * 1024),
            Stagger = TimeSpan.FromMilliseconds(args.Int("stagger-ms", 0, 0, 60_000)),
            FinalTimeout = TimeSpan.FromSeconds(args.Double("final-timeout-seconds", 10, 0.1, 600)),
            Deadline = TimeSpan.FromSeconds(args.Double("deadline-seconds", 60, 1, 3600)),
            EndMode = args.Choice("end-mode", EndMode.Final),
        };
        args.RejectUnknown();
        return options;
    }
}
