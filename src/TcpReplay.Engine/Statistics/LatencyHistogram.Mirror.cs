namespace TcpReplay.Engine.Statistics;

/// <summary>The histogram's state on a stream, so a copy running in another process can be mirrored here (Hosting).</summary>
public sealed partial class LatencyHistogram
{
    /// <summary>The occupied buckets only (most of the 1,152 are empty), then the totals.</summary>
    internal void WriteTo(BinaryWriter writer)
    {
        var occupied = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            occupied += Volatile.Read(ref _counts[i]) == 0 ? 0 : 1;
        }

        writer.Write(occupied);
        for (var i = 0; i < _counts.Length && occupied > 0; i++)
        {
            var count = Volatile.Read(ref _counts[i]);
            if (count != 0)
            {
                writer.Write((ushort)i);
                writer.Write(count);
                occupied--;
            }
        }

        writer.Write(Volatile.Read(ref _count));
        writer.Write(Volatile.Read(ref _maxMicroseconds));
        writer.Write(Volatile.Read(ref _sumMicroseconds));
    }

    /// <summary>Replaces this histogram's state with what <see cref="WriteTo"/> wrote.</summary>
    /// <exception cref="InvalidDataException">A bucket index out of range.</exception>
    internal void ReadFrom(BinaryReader reader)
    {
        Span<long> counts = stackalloc long[BucketCount];
        var occupied = reader.ReadInt32();
        for (var n = 0; n < occupied; n++)
        {
            int index = reader.ReadUInt16();
            if (index >= BucketCount)
            {
                throw new InvalidDataException($"Histogram bucket {index} is out of range (0..{BucketCount - 1}).");
            }

            counts[index] = reader.ReadInt64();
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            Volatile.Write(ref _counts[i], counts[i]);
        }

        Volatile.Write(ref _count, reader.ReadInt64());
        Volatile.Write(ref _maxMicroseconds, reader.ReadInt64());
        Volatile.Write(ref _sumMicroseconds, reader.ReadInt64());
    }
}
