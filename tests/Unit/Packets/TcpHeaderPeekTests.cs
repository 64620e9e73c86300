using PacketDotNet.Utils;
using TcpReplay.Engine.Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

public class TcpHeaderPeekTests
{
    [Fact]
    public void EveryFieldMatchesPacketDotNetOnRandomSegments()
    {
        var random = new Random(42);
        for (var i = 0; i < 300; i++)
        {
            var tcp = RandomTcpPackets.Tcp(random, maxPayload: 100);
            var bytes = tcp.Bytes;
            var expected = new Pdn.TcpPacket(new ByteArraySegment((byte[])bytes.Clone()));

            var header = new TcpHeaderPeek(bytes);

            Assert.True(header.HasFixedHeader);
            Assert.Equal(expected.SourcePort, header.SourcePort);
            Assert.Equal(expected.DestinationPort, header.DestinationPort);
            Assert.Equal(expected.DataOffset * 4, header.HeaderLength);
            Assert.Equal(expected.Flags & 0xFF, (int)header.Flags);
        }
    }

    [Theory]
    [InlineData(0, false, false, false)]
    [InlineData(3, false, false, false)]
    [InlineData(4, true, false, false)]
    [InlineData(13, true, false, false)]
    [InlineData(14, true, true, false)]
    [InlineData(19, true, true, false)]
    [InlineData(20, true, true, true)]
    public void TheHasPropertiesSayWhichFieldsWereCaptured(int length, bool ports, bool flags, bool fixedHeader)
    {
        var bytes = RandomTcpPackets.Tcp(new Random(6), maxPayload: 0).Bytes;
        var header = new TcpHeaderPeek(bytes.AsSpan(0, length));
        Assert.Equal(ports, header.HasPorts);
        Assert.Equal(flags, header.HasFlags);
        Assert.Equal(fixedHeader, header.HasFixedHeader);
    }

    [Fact]
    public void TheHeaderLengthIsWhatTheDataOffsetDeclaresEvenWhenCut()
    {
        byte[] options = [1, 1, .. RandomTcpPackets.Timestamps(new Random(7))];
        var bytes = RandomTcpPackets.Tcp(new Random(7), options, payloadLength: 0).Bytes;
        var header = new TcpHeaderPeek(bytes.AsSpan(0, 14));
        Assert.Equal(bytes.Length, header.HeaderLength);
        Assert.True(header.HeaderLength > 14);
    }
}
