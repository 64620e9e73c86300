using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Offline;

public class ConnectionSelectorTests
{
    private static readonly Transfer[] Port80 = [new Transfer(0, 80, 0xC612001E, 8080)];

    [Fact]
    public void OnlyClientPacketsTowardATransferPortAreReplayed()
    {
        var capture = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 10_000)
            .Connection(OfflineCapture.Client, 40001, 100, 10_000, serverPort: 443);

        var verdicts = Classify(capture, new ConnectionSelector(Port80, null, null, null));

        // Port 80: SYN, ACK, request, FIN, last ACK from the client; the server's three packets and all of port 443 are not client packets.
        Assert.Equal(5, verdicts.Count(v => v == RecordVerdict.Replay));
        Assert.Equal(0, verdicts.Count(v => v == RecordVerdict.Skipped));
    }

    [Fact]
    public void ABpfFilterSelectsWholeConnectionsByTheirFirstClientPacket()
    {
        using var filter = BpfFilter.Create("tcp[tcpflags] & tcp-syn != 0 and src host 198.18.0.11", out _);
        var capture = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 10_000)
            .Connection(OfflineCapture.OtherClient, 40000, 100, 10_000);
        var selector = new ConnectionSelector(Port80, filter, null, null);

        var verdicts = Classify(capture, selector);

        // The filter matches only the SYN of 198.18.0.11, yet all five client packets of that connection play.
        Assert.Equal(5, verdicts.Count(v => v == RecordVerdict.Replay));
        Assert.Equal(5, verdicts.Count(v => v == RecordVerdict.Skipped));
        Assert.Equal(1, selector.SelectedConnections);
        Assert.Equal(1, selector.SkippedConnections);
    }

    [Fact]
    public void AnOffsetWindowKeepsConnectionsStartingInsideItAndPlaysThemWhole()
    {
        var capture = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 1_000_000)
            .Connection(OfflineCapture.Client, 40001, 2_000_000, 9_000_000)
            .Connection(OfflineCapture.Client, 40002, 5_000_000, 6_000_000);
        var selector = new ConnectionSelector(Port80, null, CaptureTimeBound.After(TimeSpan.FromSeconds(1)), CaptureTimeBound.After(TimeSpan.FromSeconds(4)));

        var verdicts = Classify(capture, selector);

        Assert.Equal(1, selector.SelectedConnections);
        Assert.Equal(2, selector.SkippedConnections);
        Assert.Equal(5, verdicts.Count(v => v == RecordVerdict.Replay));
    }

    [Fact]
    public void AnAbsoluteWindowComparesCaptureTimesInUtc()
    {
        var capture = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 1_000_000)
            .Connection(OfflineCapture.Client, 40001, 2_000_000, 3_000_000);
        var from = DateTime.UnixEpoch.AddSeconds(OfflineCapture.StartSeconds + 1);
        var selector = new ConnectionSelector(Port80, null, CaptureTimeBound.At(from), null);

        Classify(capture, selector);

        Assert.Equal(1, selector.SelectedConnections);
    }

    [Fact]
    public void ASynWithANewSequenceNumberStartsANewConnectionOnTheSamePort()
    {
        var capture = new OfflineCapture().Connection(OfflineCapture.Client, 40000, 0, 1_000_000, isn: 1000)
            .Connection(OfflineCapture.Client, 40000, 2_000_000, 3_000_000, isn: 777_000);
        var selector = new ConnectionSelector(Port80, null, null, CaptureTimeBound.After(TimeSpan.FromSeconds(1)));

        var verdicts = Classify(capture, selector);

        Assert.Equal(1, selector.SelectedConnections);
        Assert.Equal(1, selector.SkippedConnections);
        Assert.Equal(5, verdicts.Count(v => v == RecordVerdict.Replay));
    }

    [Fact]
    public void ALoneAckOfAConnectionNeverSeenStartsNothing()
    {
        var capture = new OfflineCapture().Packet(0, OfflineCapture.Client, 40000, OfflineCapture.Online, 80, 5, 6, TcpFlags.Ack);
        var selector = new ConnectionSelector(Port80, null, null, null);

        var verdicts = Classify(capture, selector);

        Assert.Equal([RecordVerdict.Skipped], verdicts);
        Assert.Equal(0, selector.SelectedConnections);
    }

    private static List<RecordVerdict> Classify(OfflineCapture capture, ConnectionSelector selector)
    {
        using var reader = CaptureFileReader.Open(new MemoryStream(capture.ToArray()));
        var verdicts = new List<RecordVerdict>();
        while (reader.TryReadNext(out var record))
        {
            verdicts.Add(selector.Classify(record.LinkType, record.Data, record.OriginalLength, record.TimestampNanoseconds, out _));
        }

        return verdicts;
    }
}
