using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Statistics;

public partial class MetricsEndpointTests
{
    // A sample line of the Prometheus text format 0.0.4: name{label="value",...} value [timestamp]
    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfa]+( -?[0-9]+)?$""")]
    private static partial Regex SampleLine();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string Scrape(Uri uri)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return http.GetStringAsync(uri).GetAwaiter().GetResult();
    }

    [Fact]
    public void TheEndpointServesTheSessionsCountersInPrometheusTextFormat()
    {
        var session = "endpoint-" + Guid.NewGuid().ToString("N");
        var statistics = new CopyStatistics { ClientPacketsSeenField = 4321, ConnectionsOpenedField = 3 };
        statistics.CountClosed(CloseReason.CopierReset, HandshakeFailure.None);
        statistics.CountClosed(CloseReason.CopierReset, HandshakeFailure.None);
        using var registration = ReplayMetrics.Register(new CopyMetricsSource(session, statistics));
        using var endpoint = MetricsEndpoint.Start($"http://127.0.0.1:{FreePort()}/");

        var text = Scrape(endpoint.ScrapeUri);

        Assert.Equal("/metrics", endpoint.ScrapeUri.AbsolutePath);
        Assert.Contains($"tcpreplay_copy_client_packets_total{{otel_scope_name=\"TcpReplay\"", text);
        Assert.Matches($"(?m)^tcpreplay_copy_client_packets_total\\{{[^}}]*tcpreplay_session=\"{session}\"[^}}]*\\}} 4321( |$)", text);
        Assert.Matches($"(?m)^tcpreplay_copy_connections_total\\{{[^}}]*tcpreplay_close_reason=\"copier_reset\"[^}}]*tcpreplay_session=\"{session}\"[^}}]*\\}} 2( |$)", text);
        Assert.Matches("(?m)^# TYPE tcpreplay_copy_client_bytes_total counter$", text);
        Assert.Matches("(?m)^# TYPE tcpreplay_copy_active_connections gauge$", text);
        Assert.Matches("(?m)^# TYPE tcpreplay_copy_close_held_time_seconds_total counter$", text);
        Assert.Matches("(?m)^# TYPE tcpreplay_copy_estimated_capture_loss gauge$", text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            Assert.Matches(SampleLine(), line);
        }
    }

    [Fact]
    public void DisposingTheEndpointReleasesItsPortWithinTwoSeconds()
    {
        var port = FreePort();
        var endpoint = MetricsEndpoint.Start($"http://127.0.0.1:{port}/");
        Scrape(endpoint.ScrapeUri);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        endpoint.Dispose();
        // As any server binds (Kestrel included): the scrape's connection may leave the port in TIME_WAIT, which is not
        // a listener; a listener still bound to it would make this Start fail all the same.
        using var rebind = new TcpListener(IPAddress.Loopback, port);
        rebind.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        rebind.Start();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{watch.Elapsed}");
    }

    [Fact]
    public void APortInUseIsReportedAsAddressInUse()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = Assert.Throws<MetricsEndpointException>(() => MetricsEndpoint.Start($"http://127.0.0.1:{port}/"));

        Assert.Equal(MetricsEndpointErrorKind.AddressInUse, error.Kind);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void ASecondEndpointOnTheSamePortInTheSameProcessIsReportedAsAddressInUse()
    {
        var url = $"http://127.0.0.1:{FreePort()}/";
        using var first = MetricsEndpoint.Start(url);

        var error = Assert.Throws<MetricsEndpointException>(() => MetricsEndpoint.Start(url));

        Assert.Equal(MetricsEndpointErrorKind.AddressInUse, error.Kind);
    }

    [Fact]
    public void AnAddressThisHostDoesNotOwnIsReportedAsAddressNotAvailable()
    {
        // 198.18.255.254 is in the benchmarking range and on no interface of the test host.
        var error = Assert.Throws<MetricsEndpointException>(() => MetricsEndpoint.Start($"http://198.18.255.254:{FreePort()}/"));

        Assert.Equal(MetricsEndpointErrorKind.AddressNotAvailable, error.Kind);
    }

    [Theory]
    [InlineData("https://127.0.0.1:9464/")]
    [InlineData("127.0.0.1:9464")]
    [InlineData("/metrics")]
    [InlineData("http://127.0.0.1:9464/metrics?x=1")]
    [InlineData("http://user@127.0.0.1:9464/")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("")]
    public void AUrlThatIsNotPlainHttpIsReportedAsInvalidUrl(string url)
    {
        var error = Assert.Throws<MetricsEndpointException>(() => MetricsEndpoint.ParseUrl(url));

        Assert.Equal(MetricsEndpointErrorKind.InvalidUrl, error.Kind);
    }

    [Theory]
    [InlineData("http://198.18.0.20:9464/", "http://198.18.0.20:9464/metrics")]
    [InlineData("http://198.18.0.20:9464", "http://198.18.0.20:9464/metrics")]
    [InlineData("http://198.18.0.20:9464/custom/", "http://198.18.0.20:9464/custom")]
    [InlineData("http://198.18.0.20/", "http://198.18.0.20/metrics")]
    public void TheScrapePathIsMetricsUnlessTheUrlNamesOne(string url, string expected) =>
        Assert.Equal(expected, MetricsEndpoint.ParseUrl(url).ToString());
}
