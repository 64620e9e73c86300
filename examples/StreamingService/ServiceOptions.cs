using System.Net;

namespace StreamingService;

/// <summary>The server's settings, from the command line (README.md lists every flag).</summary>
internal sealed class ServiceOptions
{
    public required IPAddress Address { get; init; }

    public required int Port { get; init; }

    /// <summary>JSON lines, one per WebSocket session, written when the session ends.</summary>
    public required string SessionLogPath { get; init; }

    /// <summary>JSON lines, one per HTTP request (WebSocket upgrades are in the session log instead).</summary>
    public required string AccessLogPath { get; init; }

    /// <summary>Time from the client's "end" message to the final result: drawn uniformly from this range per session.</summary>
    public required TimeSpan FinalDelay { get; init; }

    public required TimeSpan FinalDelayMax { get; init; }

    /// <summary>How partial results come: after a random number of frames, or on a random clock.</summary>
    public required PartialMode Partials { get; init; }

    /// <summary>Timed partials: the gap before each is drawn uniformly from this range.</summary>
    public required TimeSpan PartialIntervalMin { get; init; }

    public required TimeSpan PartialIntervalMax { get; init; }

    /// <summary>What a Close frame from the client after "end" but before the final does: abort the recognition, or nothing.</summary>
    public required EarlyCloseMode EarlyClose { get; init; }

    /// <summary>Who closes the WebSocket after the final result.</summary>
    public required Closer Closer { get; init; }

    /// <summary>
    /// A partial result is due after a random number of new frames, drawn uniformly from this range: a recognizer
    /// speaks when it has heard enough audio, not on a clock.
    /// </summary>
    public required int PartialMinFrames { get; init; }

    public required int PartialMaxFrames { get; init; }

    /// <summary>A due partial is sent after a random processing delay from zero to this.</summary>
    public required TimeSpan PartialJitter { get; init; }

    /// <summary>How long a session waits for the client's close after the server's own close.</summary>
    public required TimeSpan CloseTimeout { get; init; }

    /// <summary>Delay before every HTTP answer, unless <see cref="PathDelays"/> names the path.</summary>
    public required TimeSpan HttpDelay { get; init; }

    public required IReadOnlyDictionary<string, TimeSpan> PathDelays { get; init; }

    public required IReadOnlyDictionary<string, int> PathStatuses { get; init; }

    /// <summary>Body size of HTTP answers other than /bytes/N (which answers N bytes).</summary>
    public required int BodyBytes { get; init; }

    public static ServiceOptions Parse(CommandLine args)
    {
        var addressText = args.String("address", "127.0.0.1");
        if (!IPAddress.TryParse(addressText, out var address))
        {
            throw new UsageException($"--address must be an IP address, not '{addressText}'.");
        }

        var partialMin = args.Int("partial-min-frames", 5, 1, 1_000_000);
        var partialMax = args.Int("partial-max-frames", 25, 1, 1_000_000);
        if (partialMax < partialMin)
        {
            throw new UsageException($"--partial-max-frames ({partialMax}) is below --partial-min-frames ({partialMin}).");
        }

        var finalDelay = args.Int("final-delay-ms", 300, 0, 600_000);
        var finalDelayMax = args.Int("final-delay-max-ms", finalDelay, 0, 600_000);
        if (finalDelayMax < finalDelay)
        {
            throw new UsageException($"--final-delay-max-ms ({finalDelayMax}) is below --final-delay-ms ({finalDelay}).");
        }

        var intervalMin = args.Int("partial-interval-min-ms", 50, 1, 600_000);
        var intervalMax = args.Int("partial-interval-max-ms", 400, 1, 600_000);
        if (intervalMax < intervalMin)
        {
            throw new UsageException($"--partial-interval-max-ms ({intervalMax}) is below --partial-interval-min-ms ({intervalMin}).");
        }

        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in args.All("status-path"))
        {
            var (path, status) = CommandLine.PathValue("status-path", text, 100, 599);
            statuses[path] = status;
        }

        var delays = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var text in args.All("delay-path"))
        {
            var (path, ms) = CommandLine.PathValue("delay-path", text, 0, 600_000);
            delays[path] = TimeSpan.FromMilliseconds(ms);
        }

        var options = new ServiceOptions
        {
            Address = address,
            Port = args.Int("port", 8080, 1, 65535),
            SessionLogPath = Path.GetFullPath(args.String("session-log", "sessions.jsonl")),
            AccessLogPath = Path.GetFullPath(args.String("access-log", "access.jsonl")),
            FinalDelay = TimeSpan.FromMilliseconds(finalDelay),
            FinalDelayMax = TimeSpan.FromMilliseconds(finalDelayMax),
            Partials = args.Choice("partials", PartialMode.Frames),
            PartialIntervalMin = TimeSpan.FromMilliseconds(intervalMin),
            PartialIntervalMax = TimeSpan.FromMilliseconds(intervalMax),
            EarlyClose = args.Choice("early-close", EarlyCloseMode.Abort),
            Closer = args.Choice("closer", Closer.Server),
            PartialMinFrames = partialMin,
            PartialMaxFrames = partialMax,
            PartialJitter = TimeSpan.FromMilliseconds(args.Int("partial-jitter-ms", 50, 0, 60_000)),
            CloseTimeout = TimeSpan.FromMilliseconds(args.Int("close-timeout-ms", 5000, 1, 600_000)),
            HttpDelay = TimeSpan.FromMilliseconds(args.Int("delay-ms", 0, 0, 600_000)),
            PathDelays = delays,
            PathStatuses = statuses,
            BodyBytes = args.Int("body-bytes", 3, 0, 64 * 1024 * 1024),
        };
        args.RejectUnknown();
        return options;
    }
}

/// <summary>How the server decides when to send a partial result.</summary>
internal enum PartialMode
{
    /// <summary>After a random number of new frames (sparse: a recognizer speaks when a word settles).</summary>
    Frames,

    /// <summary>At random moments, whatever the frames.</summary>
    Timed,
}

/// <summary>What a client Close frame that comes after "end" but before the final result does.</summary>
internal enum EarlyCloseMode
{
    /// <summary>Aborts the recognition: no final (the real service's behaviour).</summary>
    Abort,

    /// <summary>Nothing: the final is still sent.</summary>
    Tolerate,
}

/// <summary>Who starts the WebSocket close after the final result.</summary>
internal enum Closer
{
    /// <summary>The server sends its Close frame right after the final.</summary>
    Server,

    /// <summary>The server waits for the client's Close frame and answers it.</summary>
    Client,
}
