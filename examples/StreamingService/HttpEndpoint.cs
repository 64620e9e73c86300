using System.Diagnostics;
using System.Globalization;

namespace StreamingService;

/// <summary>
/// The HTTP/1.1 side: every path answers after the configured delay, with the configured status (200 unless
/// --status-path names the path), a body of --body-bytes bytes ("ok\n" by default) or N bytes for /bytes/N.
/// Each request is one line of the access log.
/// </summary>
internal sealed class HttpEndpoint(ServiceOptions options, JsonLineLog accessLog)
{
    private const string BytesPrefix = "/bytes/";
    private const int MaxBytesPath = 64 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var clock = Stopwatch.StartNew();
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var aborted = false;
        var status = options.PathStatuses.GetValueOrDefault(path, StatusCodes.Status200OK);
        long sent = 0;
        try
        {
            // The request body is read before the delay, as an application would before it works on it.
            await request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
            var delay = options.PathDelays.GetValueOrDefault(path, options.HttpDelay);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
            }

            var length = options.BodyBytes;
            if (path.StartsWith(BytesPrefix, StringComparison.Ordinal))
            {
                if (!int.TryParse(path.AsSpan(BytesPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > MaxBytesPath)
                {
                    status = StatusCodes.Status400BadRequest;
                    length = 0;
                }
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = length;
            await WriteBodyAsync(context.Response, length, context.RequestAborted).ConfigureAwait(false);
            sent = length;
        }
        catch (OperationCanceledException)
        {
            // The client went away while the request was delayed or answered.
            aborted = true;
        }
        catch (IOException)
        {
            aborted = true;
        }
        finally
        {
            accessLog.Write(new
            {
                time = DateTimeOffset.UtcNow,
                connection = context.Connection.Id,
                remote = context.Connection.RemoteIpAddress?.ToString(),
                remotePort = context.Connection.RemotePort,
                method = request.Method,
                path,
                query = request.QueryString.HasValue ? request.QueryString.Value : null,
                protocol = request.Protocol,
                status,
                bytes = sent,
                durationMs = Math.Round(clock.Elapsed.TotalMilliseconds, 3),
                aborted,
            });
        }
    }

    /// <summary>"ok\n" for the default 3 bytes; otherwise lines of 'x' ending in a newline, as nginx's test files.</summary>
    private static async Task WriteBodyAsync(HttpResponse response, int length, CancellationToken aborted)
    {
        if (length == 0)
        {
            return;
        }

        if (length == 3)
        {
            await response.Body.WriteAsync("ok\n"u8.ToArray(), aborted).ConfigureAwait(false);
            return;
        }

        var chunk = new byte[Math.Min(length, 64 * 1024)];
        Array.Fill(chunk, (byte)'x');
        for (var i = 63; i < chunk.Length; i += 64)
        {
            chunk[i] = (byte)'\n';
        }

        for (var left = length; left > 0; left -= chunk.Length)
        {
            await response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(left, chunk.Length)), aborted).ConfigureAwait(false);
        }
    }
}
