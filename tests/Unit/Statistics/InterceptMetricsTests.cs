using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Intercept;
using TcpReplay.Engine.Statistics;
using TcpReplay.Engine.Tests.Diagnostics;

namespace TcpReplay.Engine.Tests.Statistics;

public class InterceptMetricsTests
{
    [RootFact]
    public void InterceptCountersEqualTheServiceAndServerFigures()
    {
        using var service = new InterceptService(new InterceptServiceOptions
        {
            Interface = "lo",
            // Port 9 (discard) carries nothing here: other tests' loopback traffic would make the capture figures move while read.
            Filter = "tcp port 9",
            Server = new InterceptServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) },
            AllowForwarding = true,
        });
        service.Start();
        var session = "intercept-" + Guid.NewGuid().ToString("N");
        using var registration = ReplayMetrics.Register(new InterceptMetricsSource(session, service));

        // A copier that sends a few zeroed records and leaves; the figures are read once the server has seen it go.
        using (var peer = new TcpClient())
        {
            peer.Connect(service.Server.LocalEndPoint);
            peer.GetStream().Write(new byte[64]);
        }

        var watch = Stopwatch.StartNew();
        while ((service.Server.Accepted == 0 || service.Server.Copiers != 0) && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(20);
        }

        var metrics = MetricsCollector.Collect(session);

        Assert.Equal(1, service.Server.Accepted);
        Assert.Equal(service.Server.Accepted, metrics.Value("tcpreplay.intercept.accepted_copiers"));
        Assert.Equal(service.Server.ProtocolErrors, metrics.Value("tcpreplay.intercept.protocol_errors"));
        Assert.Equal(service.Captured, metrics.Value("tcpreplay.intercept.captured"));
        Assert.Equal(service.Server.Routed, metrics.Value("tcpreplay.intercept.routed"));
        Assert.Equal(service.Server.Unrouted, metrics.Value("tcpreplay.intercept.unrouted"));
        Assert.Equal(service.Server.Copiers, metrics.Value("tcpreplay.intercept.copiers"));
        Assert.Equal(service.Server.ClientRecords, metrics.All("tcpreplay.intercept.client_records").Sum(m => m.Value));
        Assert.Equal(service.Server.DeleteRecords, metrics.Value("tcpreplay.intercept.client_records", (ReplayMetrics.RecordTypeTag, "delete")));
        Assert.Equal(service.CaptureStatistics!.Value.Received,
            metrics.Value("tcpreplay.capture.received", (ReplayMetrics.RoleTag, "intercept"), (ReplayMetrics.CaptureLayerTag, "datalink")));
    }
}
