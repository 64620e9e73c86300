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

    /// <summary>Time from the client's "end" message to the final result.</summary>
    public required TimeSpan FinalDelay { get; init; }

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
            FinalDelay = TimeSpan.FromMilliseconds(args.Int("final-delay-ms", 300, 0, 600_000)),
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
