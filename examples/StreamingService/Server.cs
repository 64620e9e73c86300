using System.Text.Json;

namespace StreamingService;

/// <summary>Kestrel on one address and port: /stream is the WebSocket session, every other path the HTTP endpoint.</summary>
internal static class Server
{
    public static async Task<int> RunAsync(ServiceOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Address, options.Port);
        });

        using var sessionLog = new JsonLineLog(options.SessionLogPath);
        using var accessLog = new JsonLineLog(options.AccessLogPath);
        var http = new HttpEndpoint(options, accessLog);
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(async context =>
        {
            if (context.Request.Path == "/stream" && context.WebSockets.IsWebSocketRequest)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
                var session = new StreamingSession(socket, options);
                var outcome = await session.RunAsync(
                    context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Connection.RemotePort, context.RequestAborted).ConfigureAwait(false);
                sessionLog.Write(outcome);
                return;
            }

            await http.HandleAsync(context).ConfigureAwait(false);
        });
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(JsonSerializer.Serialize(new
        {
            @event = "listening",
            address = options.Address.ToString(),
            port = options.Port,
            pid = Environment.ProcessId,
            sessionLog = options.SessionLogPath,
            accessLog = options.AccessLogPath,
        })));
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
