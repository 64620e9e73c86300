using System.Text;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

public class PcapNgReadingTests
{
    private const byte TsResolNanoseconds = 9;
    private const byte TsResolMicroseconds = 6;
    private const byte TsResolMilliseconds = 3;
    private const byte TsResolBinary1024 = 0x80 | 10;

    [Fact]
    public void SectionsOfDifferentByteOrderEachNumberTheirOwnInterfaces()
    {
        var b = new PcapNgBuilder()
            .Section(bigEndian: false)
            .Interface(LinkType.Ethernet, snapLength: 262144, tsresol: TsResolNanoseconds, name: "eth0")
            .Interface(LinkType.Raw, snapLength: 65535, tsresol: TsResolBinary1024, tsoffset: 100)
            .Interface(LinkType.LinuxSll, tsoffset: -10)
            .Enhanced(0, 1_700_000_000_123_456_789, CaptureReading.Bytes(60, 1))
            .Enhanced(1, (1024 * 5) + 512, CaptureReading.Bytes(21, 2))
            .Enhanced(1, 1, CaptureReading.Bytes(22, 3))
            .Enhanced(2, 2_000_000, CaptureReading.Bytes(23, 4))
            .Section(bigEndian: true)
            .Interface(LinkType.Ipv4, tsresol: TsResolMicroseconds)
            .Interface(LinkType.LinuxSll2, tsresol: TsResolMilliseconds, name: "any")
            .Enhanced(1, 1500, CaptureReading.Bytes(24, 5), originalLength: 1000)
            .Enhanced(0, 1_700_000_000_000_001, CaptureReading.Bytes(25, 6));

        ReadResult result = CaptureReading.ReadAll(b.ToArray());

        Assert.Null(result.Error);
        Assert.Equal(CaptureFileFormat.PcapNg, result.Format);
        Assert.Equal(
            [
                new CaptureInterface(LinkType.Ethernet, 262144, 1_000_000_000, 0, "eth0", 0, 0),
                new CaptureInterface(LinkType.Raw, 65535, 1024, 100, null, 0, 1),
                new CaptureInterface(LinkType.LinuxSll, 0, 1_000_000, -10, null, 0, 2),
                new CaptureInterface(LinkType.Ipv4, 0, 1_000_000, 0, null, 1, 0),
                new CaptureInterface(LinkType.LinuxSll2, 0, 1_000, 0, "any", 1, 1),
            ],
            result.Interfaces);
        Assert.Equal(
            [
                1_700_000_000_123_456_789,
                105_500_000_000,  // 5.5 s in 1/1024 s units, plus if_tsoffset 100 s
                100_000_976_562,  // 1/1024 s = 976,562.5 ns, truncated
                -8_000_000_000,   // 2 s at the default microseconds, if_tsoffset -10 s
                1_500_000_000,
                1_700_000_000_000_001_000,
            ],
            result.Records.Select(r => r.TimestampNanoseconds));
        Assert.Equal([0, 1, 1, 2, 4, 3], result.Records.Select(r => r.InterfaceIndex));
        Assert.Equal(
            [LinkType.Ethernet, LinkType.Raw, LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Ipv4],
            result.Records.Select(r => r.LinkType));
        Assert.Equal([60, 21, 22, 23, 1000, 25], result.Records.Select(r => r.OriginalLength));
        Assert.Equal(CaptureReading.Bytes(25, 6), result.Records[5].Data);
        Assert.Equal(CaptureReading.Bytes(24, 5), result.Records[4].Data);
        Assert.Equal(
            b.Blocks.Where(x => x.Type == PcapNgBuilder.EpbType).Select(x => x.Offset),
            result.Records.Select(r => r.FileOffset));
        Assert.Equal(6, result.RecordsRead);
    }

    public static TheoryData<uint> NonPacketBlockTypes =>
        [PcapNgBuilder.NrbType, PcapNgBuilder.IsbType, PcapNgBuilder.DsbType, PcapNgBuilder.CustomType, PcapNgBuilder.CustomNoCopyType, 0x1234_5678];

    [Theory]
    [MemberData(nameof(NonPacketBlockTypes))]
    public void BlocksWithoutPacketsAreSkippedByTheirLength(uint type)
    {
        byte[] file = new PcapNgBuilder()
            .Section()
            .Block(type, CaptureReading.Bytes(37, 0))
            .Interface(LinkType.Ethernet)
            .Block(type, [])
            .Enhanced(0, 1, [1, 2, 3])
            .Block(type, CaptureReading.Bytes(100, 0))
            .Enhanced(0, 2, [4, 5])
            .Block(type, CaptureReading.Bytes(8, 0))
            .ToArray();

        foreach (Stream stream in new Stream[] { new MemoryStream(file), new NonSeekableStream(file, maxChunk: 7) })
        {
            ReadResult result = CaptureReading.ReadAll(stream);

            Assert.Null(result.Error);
            Assert.Equal([[1, 2, 3], [4, 5]], result.Records.Select(r => r.Data));
        }
    }

    [Fact]
    public void UnknownBlocksLargerThanTheBufferAreSkippedWithOrWithoutSeeking()
    {
        byte[] file = new PcapNgBuilder()
            .Section()
            .Interface(LinkType.Ethernet)
            .Block(PcapNgBuilder.CustomType, CaptureReading.Bytes(3 * 1024 * 1024, 1))
            .Enhanced(0, 7, [7, 7, 7])
            .ToArray();

        foreach (Stream stream in new Stream[] { new MemoryStream(file), new NonSeekableStream(file, maxChunk: 100_000) })
        {
            ReadResult result = CaptureReading.ReadAll(stream);

            Assert.Null(result.Error);
            Assert.Equal([7, 7, 7], Assert.Single(result.Records).Data);
        }
    }

    [Fact]
    public void SimplePacketBlocksUseInterfaceZeroAndThePreviousTimestamp()
    {
        byte[] file = new PcapNgBuilder()
            .Section()
            .Interface(LinkType.Raw, tsresol: TsResolNanoseconds)
            .Interface(LinkType.Ethernet)
            .Simple(61, CaptureReading.Bytes(61, 1))      // first record: no earlier timestamp
            .Enhanced(1, 5_000_000, [9])                   // 5 s at interface 1's microseconds
            .Simple(1500, CaptureReading.Bytes(64, 2))    // cut by its writer to 64 of 1500 bytes
            .ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Null(result.Error);
        Assert.Equal([0, 5_000_000_000, 5_000_000_000], result.Records.Select(r => r.TimestampNanoseconds));
        Assert.Equal([0, 1, 0], result.Records.Select(r => r.InterfaceIndex));
        Assert.Equal(LinkType.Raw, result.Records[2].LinkType);
        Assert.Equal(CaptureReading.Bytes(61, 1), result.Records[0].Data);
        Assert.Equal(61, result.Records[0].OriginalLength);
        Assert.Equal(CaptureReading.Bytes(64, 2), result.Records[2].Data);
        Assert.Equal(1500, result.Records[2].OriginalLength);
    }

    [Fact]
    public void SimplePacketBlockDataIsBoundedByTheSnapLengthOfInterfaceZero()
    {
        byte[] file = new PcapNgBuilder()
            .Section()
            .Interface(LinkType.Raw, snapLength: 40)
            .Simple(64, CaptureReading.Bytes(64, 3))
            .ToArray();

        RecordCopy record = Assert.Single(CaptureReading.ReadAll(file).Records);

        Assert.Equal(CaptureReading.Bytes(40, 3), record.Data);
        Assert.Equal(64, record.OriginalLength);
    }

    [Fact]
    public void ObsoletePacketBlocksAreRead()
    {
        byte[] file = new PcapNgBuilder()
            .Section(bigEndian: true)
            .Interface(LinkType.Ethernet)
            .Interface(LinkType.Raw, tsresol: TsResolNanoseconds)
            .ObsoletePacket(1, 1_600_000_000_000_000_001, CaptureReading.Bytes(30, 4), originalLength: 90)
            .ToArray();

        RecordCopy record = Assert.Single(CaptureReading.ReadAll(file).Records);

        Assert.Equal(1_600_000_000_000_000_001, record.TimestampNanoseconds);
        Assert.Equal(LinkType.Raw, record.LinkType);
        Assert.Equal(1, record.InterfaceIndex);
        Assert.Equal(90, record.OriginalLength);
        Assert.Equal(CaptureReading.Bytes(30, 4), record.Data);
    }

    [Fact]
    public void EnhancedPacketOptionsAfterTheDataAreIgnored()
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet);
        byte[] comment = b.Options((1, Encoding.UTF8.GetBytes("a comment")), (2, [0, 0, 0, 1]));
        byte[] file = b.Enhanced(0, 1, CaptureReading.Bytes(5, 5), options: comment).Enhanced(0, 2, [1]).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Null(result.Error);
        Assert.Equal(CaptureReading.Bytes(5, 5), result.Records[0].Data);
        Assert.Equal([1], result.Records[1].Data);
    }

    [Fact]
    public void SectionHeaderOptionsAndLegacyVersion12AreAccepted()
    {
        var b = new PcapNgBuilder();
        byte[] options = b.Options((3, Encoding.UTF8.GetBytes("Linux")), (4, Encoding.UTF8.GetBytes("test")));
        byte[] file = b.Section(minor: 2, options: options).Interface(LinkType.Ethernet).Enhanced(0, 1, [1]).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Null(result.Error);
        Assert.Single(result.Records);
    }

    public enum BlockDamage
    {
        LengthBelowMinimum,
        LengthNotMultipleOf4,
        TrailingLengthDiffers,
    }

    public static TheoryData<uint, BlockDamage> DamagedBlocks()
    {
        var data = new TheoryData<uint, BlockDamage>();
        foreach (uint type in new[] { PcapNgBuilder.EpbType, PcapNgBuilder.IdbType, PcapNgBuilder.SpbType, PcapNgBuilder.NrbType })
        {
            foreach (BlockDamage damage in Enum.GetValues<BlockDamage>())
            {
                data.Add(type, damage);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DamagedBlocks))]
    public void DamagedBlockLengthIsCorruptAtThatBlockAfterTheRecordsBeforeIt(uint type, BlockDamage damage)
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet).Enhanced(0, 1, [1, 2, 3, 4]);
        long damagedOffset = b.Length;
        byte[] body = new byte[32];
        (uint leading, uint trailing) = damage switch
        {
            BlockDamage.LengthBelowMinimum => (8u, 8u),
            BlockDamage.LengthNotMultipleOf4 => (42u, 42u),
            _ => (44u, 48u),
        };
        byte[] file = b.RawBlock(type, leading, body, trailing).Enhanced(0, 2, [5]).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Equal([1, 2, 3, 4], Assert.Single(result.Records).Data);
        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(damagedOffset, result.Error?.Offset);
    }

    [Theory]
    [InlineData(PcapNgBuilder.EpbType, 28u)]
    [InlineData(PcapNgBuilder.PbType, 28u)]
    [InlineData(PcapNgBuilder.SpbType, 12u)]
    [InlineData(PcapNgBuilder.IdbType, 16u)]
    public void KnownBlockShorterThanItsFixedFieldsIsCorrupt(uint type, uint length)
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet);
        long offset = b.Length;
        byte[] file = b.RawBlock(type, length, new byte[length - 12], length).ToArray();

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Equal(new CaptureFileErrorKind?(CaptureFileErrorKind.Corrupt), result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void EnhancedPacketForAnUndescribedInterfaceIsCorrupt()
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet).Section(bigEndian: true).Interface(LinkType.Raw);
        long offset = b.Length;

        // Interface 1 exists in the first section only: the numbering restarts with every section.
        ReadResult result = CaptureReading.ReadAll(b.Enhanced(1, 1, [1]).ToArray());

        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void SimplePacketBeforeAnyInterfaceIsCorrupt()
    {
        var b = new PcapNgBuilder().Section();
        long offset = b.Length;

        ReadResult result = CaptureReading.ReadAll(b.Simple(4, [1, 2, 3, 4]).ToArray());

        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void CapturedLengthBeyondTheBlockIsCorrupt()
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet);
        long offset = b.Length;
        var body = new List<byte>();
        body.AddRange(b.UInt32Bytes(0));
        body.AddRange(b.UInt64Bytes(0));
        body.AddRange(b.UInt32Bytes(100)); // captured length
        body.AddRange(b.UInt32Bytes(100));
        body.AddRange(new byte[96]);

        ReadResult result = CaptureReading.ReadAll(b.Block(PcapNgBuilder.EpbType, [.. body]).ToArray());

        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void CapturedLengthAboveTheCapIsCorrupt()
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet);
        long offset = b.Length;

        ReadResult result = CaptureReading.ReadAll(b.Enhanced(0, 0, new byte[CaptureFileReader.MaxCapturedLength + 4]).ToArray());

        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void PacketBlockAboveTheBufferedLimitIsCorruptWithoutBeingRead()
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet);
        long offset = b.Length;
        uint huge = 0x7FFF_FFF0;

        ReadResult result = CaptureReading.ReadAll(b.RawBlock(PcapNgBuilder.EpbType, huge, new byte[20], huge).ToArray());

        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void TimestampBeyondTheNanosecondRangeIsCorrupt()
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet, tsresol: TsResolNanoseconds).Enhanced(0, 1, [1]);
        long offset = b.Length;

        ReadResult result = CaptureReading.ReadAll(b.Enhanced(0, ulong.MaxValue, [2]).ToArray());

        Assert.Single(result.Records);
        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Theory]
    [InlineData((byte)20)]
    [InlineData((byte)(0x80 | 64))]
    public void TimestampResolutionFinerThanSixtyFourBitsIsCorrupt(byte tsresol)
    {
        var b = new PcapNgBuilder().Section();
        long offset = b.Length;

        ReadResult result = CaptureReading.ReadAll(b.Interface(LinkType.Ethernet, tsresol: tsresol).ToArray());

        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void InterfaceOptionOverrunningItsBlockIsCorrupt()
    {
        var b = new PcapNgBuilder().Section();
        long offset = b.Length;
        byte[] options = [.. b.UInt16Bytes(2), .. b.UInt16Bytes(200), 1, 2, 3, 4];

        ReadResult result = CaptureReading.ReadAll(b.InterfaceWithOptions(LinkType.Ethernet, 0, options).ToArray());

        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void LaterSectionWithABadByteOrderMagicIsCorrupt()
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet).Enhanced(0, 1, [1]);
        long offset = b.Length;
        byte[] file = b.Section().ToArray();
        file[offset + 8] ^= 0xFF;

        ReadResult result = CaptureReading.ReadAll(file);

        Assert.Single(result.Records);
        Assert.Equal(CaptureFileErrorKind.Corrupt, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }

    [Fact]
    public void FirstSectionWithABadByteOrderMagicIsNotACaptureFile()
    {
        byte[] text = Encoding.ASCII.GetBytes("\n\r\r\nnot a section header at all\n");

        ReadResult result = CaptureReading.ReadAll(text);

        Assert.Equal(CaptureFileErrorKind.NotACaptureFile, result.Error?.Kind);
        Assert.Equal(0, result.Error?.Offset);
        Assert.Equal(CaptureFileFormat.Unknown, result.Format);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(1, 1)]
    public void OtherSectionVersionsAreUnsupported(ushort major, ushort minor)
    {
        var b = new PcapNgBuilder().Section().Interface(LinkType.Ethernet).Enhanced(0, 1, [1]);
        long offset = b.Length;

        ReadResult result = CaptureReading.ReadAll(b.Section(bigEndian: true, major: major, minor: minor).ToArray());

        Assert.Single(result.Records);
        Assert.Equal(CaptureFileErrorKind.UnsupportedVersion, result.Error?.Kind);
        Assert.Equal(offset, result.Error?.Offset);
    }
}
