using StreamingService;

// dotnet StreamingService.dll [serve] --address A --port P ...   the service (README.md)
// dotnet StreamingService.dll client --url ws://A:P/stream ...   N concurrent sessions, one JSON summary
const string Usage = "usage: StreamingService [serve] [--address A] [--port P] [--session-log F] [--access-log F] [--final-delay-ms N] [--final-delay-max-ms N] " +
    "[--partials frames|timed] [--partial-interval-min-ms N] [--partial-interval-max-ms N] [--early-close abort|tolerate] [--closer server|client] " +
    "[--partial-min-frames N] [--partial-max-frames N] [--partial-jitter-ms N] [--delay-ms N] [--delay-path /p=MS] [--status-path /p=CODE] [--body-bytes N] [--close-timeout-ms N]\n" +
    "       StreamingService client [--url ws://A:P/stream] [--sessions N] [--fps N] [--duration-seconds S] [--frame-bytes N] " +
    "[--stagger-ms N] [--end-mode final|close-after-final|close-after-end|close|abort] [--final-timeout-seconds S] [--deadline-seconds S]";

var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "serve";
var rest = mode == "serve" && (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) ? args : args[1..];
if (args.Contains("--help"))
{
    Console.WriteLine(Usage);
    return 0;
}

try
{
    var commandLine = new CommandLine(rest);
    return mode switch
    {
        "serve" => await Server.RunAsync(ServiceOptions.Parse(commandLine)),
        "client" => await StreamingClient.RunAsync(ClientOptions.Parse(commandLine)),
        _ => throw new UsageException($"Unknown mode '{mode}': serve or client."),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}
