using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Packets;

public class InternetChecksumTests
{
    [Fact]
    public void ComputeMatchesTheWorkedExampleOfRfc1071()
    {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (after the end-around carry).
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];

        Assert.Equal(0xFFFF - 0xddf2, InternetChecksum.Compute(data));
    }

    [Fact]
    public void ComputeOfNothingIsAllOnes()
    {
        Assert.Equal(0xFFFF, InternetChecksum.Compute([]));
    }

    [Fact]
    public void ComputePadsAnOddLastByteOnTheRight()
    {
        Assert.Equal(0xFFFF - 0xAB00, InternetChecksum.Compute([0xAB]));
        Assert.Equal(0xFFFF - (0x1234 + 0x5600), InternetChecksum.Compute([0x12, 0x34, 0x56]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(1500)]
    [InlineData(9001)]
    [InlineData(65535)]
    public void ComputeEqualsAWordByWordSumForAnyLengthAndAlignment(int length)
    {
        var random = new Random(length);
        byte[] buffer = new byte[length + 8];
        for (int round = 0; round < 20; round++)
        {
            random.NextBytes(buffer);

            // All-0xFF data is the carry-heavy worst case.
            if (round == 0)
            {
                buffer.AsSpan().Fill(0xFF);
            }

            int start = round % 8;
            ReadOnlySpan<byte> data = buffer.AsSpan(start, length);

            Assert.Equal(ReferenceChecksum(data), InternetChecksum.Compute(data));
        }
    }

    [Fact]
    public void AccumulateOverEvenLengthPartsEqualsAccumulateOverTheWhole()
    {
        var random = new Random(1);
        byte[] data = new byte[1001];
        random.NextBytes(data);
        for (int split = 0; split <= data.Length; split += 2)
        {
            ulong parts = InternetChecksum.Accumulate(InternetChecksum.Accumulate(0, data.AsSpan(0, split)), data.AsSpan(split));

            Assert.Equal(InternetChecksum.Compute(data), InternetChecksum.Fold(parts));
        }
    }

    [Fact]
    public void DataIncludingItsStoredChecksumFoldsToZero()
    {
        var random = new Random(2);
        for (int i = 0; i < 1000; i++)
        {
            byte[] data = new byte[2 + random.Next(0, 200)];
            random.NextBytes(data);
            data[0] = data[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(data, InternetChecksum.Compute(data));

            Assert.Equal(0, InternetChecksum.Compute(data));
        }
    }

    [Fact]
    public void Update16EqualsAFullRecomputeAfterAnAlignedWordChanges()
    {
        var random = new Random(3);
        for (int i = 0; i < 20000; i++)
        {
            byte[] data = RandomData(random);
            ushort stored = StoreChecksum(data);
            int position = 2 + (2 * random.Next(0, (data.Length - 2) / 2));
            ushort oldValue = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position));
            ushort newValue = RandomWord(random);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(position), newValue);

            ushort updated = InternetChecksum.Update16(stored, oldValue, newValue);

            Assert.Equal(FullChecksum(data), updated);
        }
    }

    [Fact]
    public void Update32EqualsAFullRecomputeAfterAnAlignedDoubleWordChanges()
    {
        var random = new Random(4);
        for (int i = 0; i < 20000; i++)
        {
            byte[] data = RandomData(random);
            ushort stored = StoreChecksum(data);
            int position = 2 + (2 * random.Next(0, (data.Length - 4) / 2));
            uint oldValue = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            uint newValue = random.Next(4) == 0 ? oldValue ^ 0xFFFF_FFFF : (uint)random.NextInt64(0, 1L << 32);
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(position), newValue);

            ushort updated = InternetChecksum.Update32(stored, oldValue, newValue);

            Assert.Equal(FullChecksum(data), updated);
        }
    }

    [Fact]
    public void Update16NeverTurnsAZeroChecksumIntoAllOnes()
    {
        // RFC 1624 §3: eqn. 2 (~(HC + m' - m)) can give 0xFFFF where a recompute gives 0; eqn. 3 cannot.
        byte[] data = [0, 0, 0x12, 0x34, 0xED, 0xCB];
        ushort stored = StoreChecksum(data);
        Assert.Equal(0, stored);

        ushort updated = InternetChecksum.Update16(stored, 0x1234, 0x1234);

        Assert.Equal(0, updated);
    }

    [Fact]
    public void ComputeTcpIpv6RejectsAnAddressThatIsNot16Bytes()
    {
        Assert.Throws<ArgumentException>(() => InternetChecksum.ComputeTcpIpv6(new byte[15], new byte[16], new byte[20]));
        Assert.Throws<ArgumentException>(() => InternetChecksum.ComputeTcpIpv6(new byte[16], new byte[4], new byte[20]));
    }

    private static ushort ReferenceChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static byte[] RandomData(Random random)
    {
        byte[] data = new byte[6 + (2 * random.Next(0, 40))];
        random.NextBytes(data);
        return data;
    }

    private static ushort RandomWord(Random random) => random.Next(8) switch
    {
        0 => 0,
        1 => 0xFFFF,
        _ => (ushort)random.Next(0, 65536),
    };

    // The checksum lives in the first word, as in real headers it lives at a fixed even offset.
    private static ushort StoreChecksum(byte[] data)
    {
        ushort checksum = FullChecksum(data);
        BinaryPrimitives.WriteUInt16BigEndian(data, checksum);
        return checksum;
    }

    private static ushort FullChecksum(byte[] data)
    {
        byte[] copy = (byte[])data.Clone();
        copy[0] = copy[1] = 0;
        return ReferenceChecksum(copy);
    }
}
