using System.Buffers.Binary;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Offline;

public class BpfFilterTests
{
    [Fact]
    public void AnExpressionLibpcapRefusesGivesItsErrorAndNoFilter()
    {
        var filter = BpfFilter.Create("tcp port banana", out var error);

        Assert.Null(filter);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("src host 198.18.0.10", true)]
    [InlineData("src host 198.18.0.11", false)]
    [InlineData("tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0", true)]
    [InlineData("udp", false)]
    public void AnEthernetFrameIsJudgedAsTcpdumpWould(string expression, bool expected)
    {
        using var filter = BpfFilter.Create(expression, out var error);
        Assert.True(filter is not null, error);
        var frame = Frame();

        Assert.Equal(expected, filter.Matches(LinkType.Ethernet, frame, frame.Length));
    }

    [Fact]
    public void ARawIpFrameIsFilteredWithItsOwnProgram()
    {
        using var filter = BpfFilter.Create("src host 198.18.0.10", out _);
        var frame = Frame()[14..];

        Assert.True(filter!.Matches(LinkType.Raw, frame, frame.Length));
        Assert.True(filter.Matches(LinkType.Ipv4, frame, frame.Length));
    }

    [Fact]
    public void MatchingAllocatesNothing()
    {
        using var filter = BpfFilter.Create("src host 198.18.0.10", out _);
        var frame = Frame();
        filter!.Matches(LinkType.Ethernet, frame, frame.Length);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            filter.Matches(LinkType.Ethernet, frame, frame.Length);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static byte[] Frame()
    {
        var frame = new byte[14 + 60];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var length = SegmentWriter.Write(frame.AsSpan(14), OfflineCapture.Client, 40000, OfflineCapture.Online, 80, 1, 0, TcpFlags.Syn, 502, [], [], 1);
        return frame[..(14 + length)];
    }
}
