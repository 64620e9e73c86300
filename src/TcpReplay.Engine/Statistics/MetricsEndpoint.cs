using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TcpReplay.Engine.Statistics;

/// <summary>
/// Serves the <see cref="ReplayMetrics"/> instruments in the Prometheus text format over HTTP, with OpenTelemetry's
/// Prometheus exporter on an <see cref="HttpListener"/>. It serves every TcpReplay session of the process (each series
/// carries its <c>tcpreplay.session</c> label), and only while it is not disposed.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    /// <summary>The scrape path used when the URL gives none: Prometheus's default <c>metrics_path</c>.</summary>
    public const string DefaultPath = "/metrics";

    private const int EAddrInUse = 98;
    private const int EAddrNotAvail = 99;

    // The managed HttpListener shares one socket per address and port within a process: a second listener for the
    // same prefix fails on the prefix ("conflicts with an existing registration", code 400), not on the bind.
    private const int PrefixAlreadyRegistered = 400;

    private readonly MeterProvider _provider;
    private int _disposed;

    private MetricsEndpoint(MeterProvider provider, Uri scrapeUri)
    {
        _provider = provider;
        ScrapeUri = scrapeUri;
    }

    /// <summary>The URL to scrape, for example <c>http://198.18.0.20:9464/metrics</c>.</summary>
    public Uri ScrapeUri { get; }

    /// <summary>
    /// Starts listening. <paramref name="url"/> is <c>http://address:port/</c> (served at <see cref="DefaultPath"/>)
    /// or <c>http://address:port/path</c> (served at that path); the address is one of this host's, or <c>+</c> for all.
    /// </summary>
    /// <exception cref="MetricsEndpointException">The URL is not valid, or the address and port cannot be listened on.</exception>
    public static MetricsEndpoint Start(string url)
    {
        var scrapeUri = ParseUrl(url);
        var prefix = $"http://{(scrapeUri.Host == "0.0.0.0" ? "+" : scrapeUri.Authority)}{scrapeUri.AbsolutePath.TrimEnd('/')}/";
        try
        {
            var provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(ReplayMetrics.MeterName)
                .AddPrometheusHttpListener(options =>
                {
                    options.Host = scrapeUri.Host;
                    options.Port = scrapeUri.Port;
                    options.ScrapeEndpointPath = scrapeUri.AbsolutePath;
                    // A scrape reads the counters as they are now; the exporter's 300 ms cache would serve older figures.
                    options.ScrapeResponseCacheDurationMilliseconds = 0;
                    // The exporter builds "http://{Host}:{Port}{Path}/"; ours keeps IPv6 brackets and maps 0.0.0.0 to all addresses.
                    options.ConfigureHttpListener = (_, listener) =>
                    {
                        listener.Prefixes.Clear();
                        listener.Prefixes.Add(prefix);
                    };
                })
                .Build();
            return new MetricsEndpoint(provider, scrapeUri);
        }
        catch (Exception exception) when (FindListenerError(exception) is { } listenerError)
        {
            throw Classify(url, listenerError, exception);
        }
        catch (FileLoadException exception)
        {
            // The default load context keeps the first version of an assembly it bound; a module loaded earlier in the
            // same pwsh (PSResourceGet ships Microsoft.Extensions.Primitives 6.0) can hold an older copy.
            throw new MetricsEndpointException(MetricsEndpointErrorKind.DependencyConflict,
                $"The metrics endpoint {url} cannot start: {exception.FileName} is already loaded in another version by this process ({exception.Message}).", exception);
        }
    }

    /// <summary>Stops listening and releases the port before it returns.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _provider.Dispose();
        }
    }

    /// <summary>The scrape URL for <paramref name="url"/>; see <see cref="Start"/>.</summary>
    /// <exception cref="MetricsEndpointException">The URL is not valid (<see cref="MetricsEndpointErrorKind.InvalidUrl"/>).</exception>
    public static Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new MetricsEndpointException(MetricsEndpointErrorKind.InvalidUrl,
                $"'{url}' is not an http URL such as http://198.18.0.20:9464/ (the endpoint speaks plain HTTP; put a TLS proxy in front for https).");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new MetricsEndpointException(MetricsEndpointErrorKind.InvalidUrl,
                $"'{url}' has a query, fragment or user info; give only http://address:port/ and an optional path.");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(uri) { Path = path.Length == 0 ? DefaultPath : path };
        return builder.Uri;
    }

    private static HttpListenerException? FindListenerError(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpListenerException listenerError)
            {
                return listenerError;
            }
        }

        return null;
    }

    private static MetricsEndpointException Classify(string url, HttpListenerException listenerError, Exception exception)
    {
        // The managed (Linux) HttpListener reports the bind's errno; HTTP.sys on Windows reports WSA codes (SocketError).
        var (kind, why) = listenerError.ErrorCode switch
        {
            EAddrInUse or PrefixAlreadyRegistered or (int)SocketError.AddressAlreadyInUse => (MetricsEndpointErrorKind.AddressInUse, "the port is already in use"),
            EAddrNotAvail or (int)SocketError.AddressNotAvailable or (int)SocketError.HostNotFound =>
                (MetricsEndpointErrorKind.AddressNotAvailable, "the address is not one of this host's"),
            _ => (MetricsEndpointErrorKind.ListenFailed, listenerError.Message),
        };
        return new MetricsEndpointException(kind, $"The metrics endpoint {url} cannot listen: {why} ({listenerError.Message}).", exception);
    }
}
