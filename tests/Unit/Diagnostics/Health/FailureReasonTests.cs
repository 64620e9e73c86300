using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Tests.Diagnostics.Health;

public sealed class FailureReasonTests
{
    private static readonly Transfer Transfer = new(0, 8080, 0xC612001E, 8080);

    private static CopiedConnection Connection(int clientPort, CloseReason reason, HandshakeFailure failure = HandshakeFailure.None, string? detail = null, int endSecond = 0)
    {
        var start = new DateTime(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc);
        return new CopiedConnection(clientPort, 0xC612000A, (ushort)clientPort, 0xC6120014, 8080, 0xC6130001, (ushort)clientPort, Transfer, start)
        {
            CloseReason = reason,
            HandshakeFailure = failure,
            CloseDetail = detail,
            EndTime = reason == CloseReason.None ? null : start.AddSeconds(endSecond),
        };
    }

    [Fact]
    public void AbnormalEndsAreGroupedByCauseMostFrequentFirstWithTheLatestExampleAndItsFix()
    {
        var reasons = FailureReason.Summarize(
        [
            Connection(1, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST from a bystander; use another -FakeClientAddress", 1),
            Connection(2, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST from a bystander; use another -FakeClientAddress (2)", 5),
            Connection(3, CloseReason.HandshakeFailed, HandshakeFailure.TargetRefused, "refused", 2),
            Connection(4, CloseReason.Timeout, detail: "idle", endSecond: 3),
            Connection(5, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST from a bystander; use another -FakeClientAddress (3)", 4),
        ]);

        Assert.Equal(3, reasons.Count);
        var top = reasons[0];
        Assert.Equal((CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, 3L), (top.CloseReason, top.HandshakeFailure, top.Count));
        Assert.Equal("198.18.0.10:2", top.ExampleClient);
        Assert.EndsWith("(2)", top.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenConnectionsNormalEndsAndTheUsersOwnStopAreNotFailures()
    {
        Assert.Empty(FailureReason.Summarize(
        [
            Connection(1, CloseReason.None),
            Connection(2, CloseReason.Completed),
            Connection(3, CloseReason.CopierReset),
            Connection(4, CloseReason.ClientReset),
            Connection(5, CloseReason.Stopped),
        ]));
    }

    [Fact]
    public void TheStatisticsKeepAsConnectionsEndTheSummaryTheRecordsWouldGive()
    {
        CopiedConnection[] endedInOrder =
        [
            Connection(1, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST (1)", 1),
            Connection(3, CloseReason.HandshakeFailed, HandshakeFailure.TargetRefused, "refused", 2),
            Connection(4, CloseReason.Timeout, detail: "idle", endSecond: 3),
            Connection(6, CloseReason.Completed, endSecond: 3),
            Connection(7, CloseReason.Stopped, endSecond: 3),
            Connection(5, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST (3)", 4),
            Connection(2, CloseReason.HandshakeFailed, HandshakeFailure.BystanderReset, "RST (2)", 5),
        ];
        var statistics = new CopyStatistics();
        foreach (var ended in endedInOrder)
        {
            statistics.CountFailure(ended);
        }

        Assert.Equal(FailureReason.Summarize(endedInOrder), statistics.FailureReasons);
        Assert.Equal(("198.18.0.10:2", "RST (2)", 3L), (statistics.FailureReasons[0].ExampleClient, statistics.FailureReasons[0].Remedy, statistics.FailureReasons[0].Count));
    }
}
