using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.Engine.Tests.Statistics;

public class ReplayMetricsTests
{
    private static CopyStatistics SampleStatistics()
    {
        var statistics = new CopyStatistics
        {
            ClientPacketsSeenField = 1234,
            ClientBytesSeenField = 56_789,
            PacketsSentField = 1300,
            ClientPacketsSentField = 1200,
            BytesSentField = 55_000,
            ConnectionsOpenedField = 40,
            ConnectionsWithoutSynField = 2,
            ResponsesReceivedField = 900,
            ResponseBytesField = 700_000,
            RetransmissionsField = 7,
            CaptureGapsField = 3,
            CaptureGapBytesField = 4_000,
            CloseHeldTicksField = TimeSpan.FromMilliseconds(1500).Ticks,
            ClosesHeldField = 5,
            BacklogWaitsField = 12,
            BacklogWaitTicksField = TimeSpan.FromMilliseconds(250).Ticks,
            EngineQueueDropsField = 2,
        };
        for (var i = 0; i < 20; i++)
        {
            statistics.CountClosed(CloseReason.CopierReset, HandshakeFailure.None);
        }

        for (var i = 0; i < 6; i++)
        {
            statistics.CountClosed(CloseReason.Completed, HandshakeFailure.None);
        }

        statistics.CountClosed(CloseReason.HandshakeFailed, HandshakeFailure.NoSynAck);
        statistics.CountClosed(CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset);
        statistics.CountClosed(CloseReason.Timeout, HandshakeFailure.None);
        statistics.CountSendError(90);
        statistics.CountSendError(90);
        statistics.CountSendError(1);
        return statistics;
    }

    private static string NewSession() => "test-" + Guid.NewGuid().ToString("N");

    [Fact]
    public void CopyCountersEqualTheSessionStatistics()
    {
        var statistics = SampleStatistics();
        var session = NewSession();
        using (ReplayMetrics.Register(new CopyMetricsSource(session, statistics)))
        {
            var metrics = MetricsCollector.Collect(session);

            Assert.Equal(statistics.ClientPacketsSeen, metrics.Value("tcpreplay.copy.client_packets"));
            Assert.Equal(statistics.ClientBytesSeen, metrics.Value("tcpreplay.copy.client_bytes"));
            Assert.Equal(statistics.PacketsSent, metrics.Value("tcpreplay.copy.sent_packets"));
            Assert.Equal(statistics.ClientPacketsSent, metrics.Value("tcpreplay.copy.sent_client_packets"));
            Assert.Equal(statistics.BytesSent, metrics.Value("tcpreplay.copy.sent_bytes"));
            Assert.Equal(statistics.ConnectionsOpened, metrics.Value("tcpreplay.copy.opened_connections"));
            Assert.Equal(statistics.ConnectionsWithoutSyn, metrics.Value("tcpreplay.copy.connections_without_syn"));
            Assert.Equal(statistics.ResponsesReceived, metrics.Value("tcpreplay.copy.target_packets"));
            Assert.Equal(statistics.ResponseBytes, metrics.Value("tcpreplay.copy.target_bytes"));
            Assert.Equal(statistics.Retransmissions, metrics.Value("tcpreplay.copy.retransmissions"));
            Assert.Equal(statistics.CaptureGaps, metrics.Value("tcpreplay.copy.capture_gaps"));
            Assert.Equal(statistics.CaptureGapBytes, metrics.Value("tcpreplay.copy.capture_gap_bytes"));
            Assert.Equal(statistics.ClosesHeld, metrics.Value("tcpreplay.copy.closes_held"));
            Assert.Equal(1.5, metrics.Value("tcpreplay.copy.close_held_time"), 6);
            Assert.Equal(statistics.EstimatedCaptureLoss, metrics.Value("tcpreplay.copy.estimated_capture_loss"), 9);
            Assert.Equal(12, metrics.Value("tcpreplay.copy.backlog_waits"));
            Assert.Equal(0.25, metrics.Value("tcpreplay.copy.backlog_wait_time"), 6);
            Assert.Equal(2, metrics.Value("tcpreplay.copy.engine_queue_drops"));
        }
    }

    [Fact]
    public void EndedConnectionsAreTaggedByCloseReasonAndSumToTheEndedTotal()
    {
        var statistics = SampleStatistics();
        var session = NewSession();
        using (ReplayMetrics.Register(new CopyMetricsSource(session, statistics)))
        {
            var metrics = MetricsCollector.Collect(session);

            foreach (var reason in Enum.GetValues<CloseReason>().Where(r => r != CloseReason.None))
            {
                Assert.Equal(statistics.Closed(reason), metrics.Value("tcpreplay.copy.connections", (ReplayMetrics.CloseReasonTag, ReplayMetrics.TagValue(reason))));
            }

            Assert.Equal(20, metrics.Value("tcpreplay.copy.connections", (ReplayMetrics.CloseReasonTag, "copier_reset")));
            Assert.Equal(29, metrics.All("tcpreplay.copy.connections").Sum(m => m.Value));
            Assert.Equal(40 - 29, metrics.Value("tcpreplay.copy.active_connections"));
            Assert.Equal(1, metrics.Value("tcpreplay.copy.handshake_failures", (ReplayMetrics.HandshakeFailureTag, "no_syn_ack")));
            Assert.Equal(1, metrics.Value("tcpreplay.copy.handshake_failures", (ReplayMetrics.HandshakeFailureTag, "bystander_reset")));
            Assert.Equal(0, metrics.Value("tcpreplay.copy.handshake_failures", (ReplayMetrics.HandshakeFailureTag, "target_refused")));
        }
    }

    [Fact]
    public void SendErrorsAreTaggedWithTheErrnoName()
    {
        var session = NewSession();
        using (ReplayMetrics.Register(new CopyMetricsSource(session, SampleStatistics())))
        {
            var metrics = MetricsCollector.Collect(session);

            Assert.Equal(2, metrics.Value("tcpreplay.copy.send_errors", (ReplayMetrics.ErrorTypeTag, "EMSGSIZE")));
            Assert.Equal(1, metrics.Value("tcpreplay.copy.send_errors", (ReplayMetrics.ErrorTypeTag, "EPERM")));
        }
    }

    [Fact]
    public void CaptureCountersCarryTheLayerInUseAndTheDropReason()
    {
        var layer = CaptureLayer.Datalink;
        var session = NewSession();
        var source = new CopyMetricsSource(session, new CopyStatistics())
        {
            Capture = () => new CaptureSourceStatistics(Received: 500, Delivered: 450, KernelDropped: 3, BufferPoolEmpty: 2, SinkFailed: 1),
            CaptureLayer = () => layer,
        };
        using (ReplayMetrics.Register(source))
        {
            var before = MetricsCollector.Collect(session);
            layer = CaptureLayer.IpLayer;
            var after = MetricsCollector.Collect(session);

            Assert.Equal(500, before.Value("tcpreplay.capture.received", (ReplayMetrics.CaptureLayerTag, "datalink"), (ReplayMetrics.RoleTag, "copy")));
            Assert.Equal(450, before.Value("tcpreplay.capture.delivered", (ReplayMetrics.CaptureLayerTag, "datalink")));
            Assert.Equal(3, before.Value("tcpreplay.capture.dropped", (ReplayMetrics.DropReasonTag, "kernel")));
            Assert.Equal(2, before.Value("tcpreplay.capture.dropped", (ReplayMetrics.DropReasonTag, "buffer_pool_empty")));
            Assert.Equal(1, before.Value("tcpreplay.capture.dropped", (ReplayMetrics.DropReasonTag, "sink_failed")));
            Assert.Equal(500, after.Value("tcpreplay.capture.received", (ReplayMetrics.CaptureLayerTag, "ip_layer")));
        }
    }

    [Fact]
    public void ASessionWithoutCaptureOrInterceptShowsNoCaptureOrLinkSeries()
    {
        var session = NewSession();
        using (ReplayMetrics.Register(new CopyMetricsSource(session, new CopyStatistics())))
        {
            var metrics = MetricsCollector.Collect(session);

            Assert.Empty(metrics.All("tcpreplay.capture.received"));
            Assert.Empty(metrics.All("tcpreplay.copy.intercept.connected_links"));
            Assert.Empty(metrics.All("tcpreplay.copy.intercept.reconnects"));
            Assert.Equal(0, metrics.Value("tcpreplay.copy.client_packets"));
        }
    }

    [Fact]
    public void ADisposedRegistrationStopsTheSessionsMeasurements()
    {
        var session = NewSession();
        var registration = ReplayMetrics.Register(new CopyMetricsSource(session, SampleStatistics()));
        Assert.NotEmpty(MetricsCollector.Collect(session).Instruments);

        registration.Dispose();
        registration.Dispose();

        Assert.Empty(MetricsCollector.Collect(session).Instruments);
    }

    [Fact]
    public void TwoSessionsAreMeasuredApartByTheirSessionTag()
    {
        var first = NewSession();
        var second = NewSession();
        using (ReplayMetrics.Register(new CopyMetricsSource(first, new CopyStatistics { ClientPacketsSeenField = 11 })))
        using (ReplayMetrics.Register(new CopyMetricsSource(second, new CopyStatistics { ClientPacketsSeenField = 22 })))
        {
            Assert.Equal(11, MetricsCollector.Collect(first).Value("tcpreplay.copy.client_packets"));
            Assert.Equal(22, MetricsCollector.Collect(second).Value("tcpreplay.copy.client_packets"));
        }
    }

    [Theory]
    [InlineData("tcpreplay.copy.client_packets", "{packet}")]
    [InlineData("tcpreplay.copy.client_bytes", "By")]
    [InlineData("tcpreplay.copy.connections", "{connection}")]
    [InlineData("tcpreplay.copy.close_held_time", "s")]
    [InlineData("tcpreplay.copy.estimated_capture_loss", "1")]
    public void InstrumentsCarryUcumUnits(string instrument, string unit)
    {
        var session = NewSession();
        using (ReplayMetrics.Register(new CopyMetricsSource(session, SampleStatistics())))
        {
            Assert.Equal(unit, MetricsCollector.Collect(session).Unit(instrument));
        }
    }

    [Theory]
    [InlineData(CloseReason.CopierReset, "copier_reset")]
    [InlineData(CloseReason.InterceptUnavailable, "intercept_unavailable")]
    [InlineData(CloseReason.Completed, "completed")]
    public void CloseReasonTagValuesAreSnakeCase(CloseReason reason, string expected) =>
        Assert.Equal(expected, ReplayMetrics.TagValue(reason));
}
