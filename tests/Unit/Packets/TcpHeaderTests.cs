using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Packets;

public class TcpHeaderTests
{
    // A Linux SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
    private static readonly byte[] SynOptions =
    [
        2, 4, 0x05, 0xB4,
        4, 2,
        8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
        1,
        3, 3, 7,
    ];

    [Fact]
    public void TheOptionsOfALinuxSynAreRead()
    {
        byte[] segment = Segment(SynOptions, payloadLength: 0);

        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(segment, out TcpHeader tcp));

        Assert.Equal(40, tcp.HeaderLength);
        Assert.True(tcp.TryGetMss(out ushort mss));
        Assert.Equal(1460, mss);
        Assert.True(tcp.HasSackPermitted);
        Assert.True(tcp.TryGetTimestamps(out uint value, out uint echo));
        Assert.Equal(0x11223344u, value);
        Assert.Equal(0x55667788u, echo);
        Assert.True(tcp.TryGetWindowScale(out byte shift));
        Assert.Equal(7, shift);
    }

    [Fact]
    public void TheFixedFieldsAreReadBigEndian()
    {
        byte[] segment = Segment([], payloadLength: 3);
        segment[0] = 0x1F;
        segment[1] = 0x90;
        segment[2] = 0xC3;
        segment[3] = 0x50;
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), 0xDEADBEEF);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), 0x01020304);
        segment[13] = 0x18;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 0xFAF0);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), 0xABCD);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(18), 0x0102);

        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(segment, out TcpHeader tcp));

        Assert.Equal(8080, tcp.SourcePort);
        Assert.Equal(50000, tcp.DestinationPort);
        Assert.Equal(0xDEADBEEFu, tcp.SequenceNumber);
        Assert.Equal(0x01020304u, tcp.AcknowledgmentNumber);
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, tcp.Flags);
        Assert.Equal(0xFAF0, tcp.Window);
        Assert.Equal(0xABCD, tcp.Checksum);
        Assert.Equal(0x0102, tcp.UrgentPointer);
        Assert.Equal(3, tcp.Payload.Length);
        Assert.True(tcp.Options.IsEmpty);
    }

    [Fact]
    public void AHeaderWithoutOptionsHasNone()
    {
        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(Segment([], payloadLength: 0), out TcpHeader tcp));

        Assert.False(tcp.TryGetMss(out _));
        Assert.False(tcp.TryGetWindowScale(out _));
        Assert.False(tcp.TryGetTimestamps(out _, out _));
        Assert.False(tcp.HasSackPermitted);
        Assert.False(tcp.EnumerateOptions().MoveNext());
        Assert.False(tcp.TrySetMss(1000));
        Assert.False(tcp.TrySetTimestampEcho(1));
    }

    [Fact]
    public void SackBlocksAreReadFromTheEnumerator()
    {
        byte[] options = [1, 1, 5, 26, .. Block(100, 200), .. Block(300, 400), .. Block(0xFFFF_FFF0, 0x10), 1, 1, 1, 1];
        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(Segment(options, payloadLength: 0), out TcpHeader tcp));

        var blocks = new List<(uint, uint)>();
        foreach (TcpOption option in tcp.EnumerateOptions())
        {
            Assert.Equal(TcpOptionKind.Sack, option.Kind);
            Assert.Equal(22, option.Offset);
            Assert.Equal(3, option.SackBlockCount);
            for (int i = 0; option.TryGetSackBlock(i, out uint left, out uint right); i++)
            {
                blocks.Add((left, right));
            }

            Assert.False(option.TryGetSackBlock(-1, out _, out _));
        }

        Assert.Equal([(100u, 200u), (300u, 400u), (0xFFFF_FFF0u, 0x10u)], blocks);
    }

    [Fact]
    public void TheEnumeratorSkipsNopsAndStopsAtEndOfOptionList()
    {
        byte[] options = [1, 1, 1, 4, 2, 0, 3, 3, 7, 0];
        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(Segment([.. options, 0, 0], payloadLength: 0), out TcpHeader tcp));

        var kinds = new List<TcpOptionKind>();
        foreach (TcpOption option in tcp.EnumerateOptions())
        {
            kinds.Add(option.Kind);
        }

        Assert.Equal([TcpOptionKind.SackPermitted], kinds);
        Assert.False(tcp.TryGetWindowScale(out _));
    }

    [Fact]
    public void OptionsOfANonstandardLengthAreNotReadAsTheirKind()
    {
        // An MSS of length 6 and a Timestamps of length 8 are well formed but not what RFC 9293 and RFC 7323 define.
        byte[] options = [2, 6, 1, 2, 3, 4, 8, 8, 1, 2, 3, 4, 5, 6, 1, 1];
        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(Segment(options, payloadLength: 0), out TcpHeader tcp));

        Assert.False(tcp.TryGetMss(out _));
        Assert.False(tcp.TryGetTimestamps(out _, out _));
        Assert.False(tcp.TrySetMss(1));
        Assert.False(tcp.TrySetTimestampEcho(1));
    }

    public static TheoryData<string, byte[]> MalformedOptions => new()
    {
        { "kind without a length byte", [1, 1, 1, 2] },
        { "length 0", [2, 0, 1, 1] },
        { "length 1", [2, 1, 1, 1] },
        { "length past the header", [1, 1, 8, 10] },
        { "second option past the header", [4, 2, 3, 3, 7, 5, 10, 1] },
        { "unknown kind past the header", [0xFE, 5, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(MalformedOptions))]
    public void MalformedOptionsAreBadTcpOptions(string name, byte[] options)
    {
        Assert.True(PacketParseStatus.BadTcpOptions == TcpHeader.TryParse(Segment(options, payloadLength: 5), out _), name);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 1, 1, 1, 0, 2, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 1, 1, 1 })]
    [InlineData(new byte[] { 0xFE, 4, 0, 0 })]
    public void BytesAfterEndOfOptionListAndUnknownKindsAreAccepted(byte[] options)
    {
        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(Segment(options, payloadLength: 0), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void ADataOffsetBelowFiveIsBadTcpHeaderLength(int words)
    {
        byte[] segment = Segment([], payloadLength: 40);
        segment[12] = (byte)(words << 4);

        Assert.Equal(PacketParseStatus.BadTcpHeaderLength, TcpHeader.TryParse(segment, out _));
    }

    public static TheoryData<int> CutPointsOfASyn()
    {
        var data = new TheoryData<int>();
        for (int length = 0; length < 40; length++)
        {
            data.Add(length);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CutPointsOfASyn))]
    public void AHeaderCutBeforeItsLastOptionByteIsTruncated(int length)
    {
        byte[] segment = Segment(SynOptions, payloadLength: 0);

        Assert.Equal(PacketParseStatus.Truncated, TcpHeader.TryParse(segment.AsSpan(0, length), out TcpHeader tcp));
        Assert.Equal(0, tcp.Segment.Length);
    }

    [Fact]
    public void TheReservedBitsDoNotChangeTheFlags()
    {
        byte[] segment = Segment([], payloadLength: 0);
        segment[12] |= 0x0F; // reserved bits and NS
        segment[13] = (byte)(TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr);

        Assert.Equal(PacketParseStatus.Ok, TcpHeader.TryParse(segment, out TcpHeader tcp));

        Assert.Equal(20, tcp.HeaderLength);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, tcp.Flags);
    }

    internal static byte[] Segment(byte[] options, int payloadLength)
    {
        byte[] segment = new byte[20 + options.Length + payloadLength];
        segment[12] = (byte)(((20 + options.Length) / 4) << 4);
        options.CopyTo(segment, 20);
        for (int i = 0; i < payloadLength; i++)
        {
            segment[20 + options.Length + i] = (byte)(i + 1);
        }

        return segment;
    }

    private static byte[] Block(uint left, uint right)
    {
        byte[] block = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(block, left);
        BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(4), right);
        return block;
    }
}
