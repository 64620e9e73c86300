using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>A record copied out of the reader's buffer, so tests can keep it.</summary>
internal sealed record RecordCopy(
    byte[] Data, int OriginalLength, long TimestampNanoseconds, LinkType LinkType, int InterfaceIndex, long FileOffset);

/// <summary>What reading a whole input produced.</summary>
internal sealed record ReadResult(
    List<RecordCopy> Records, CaptureFileError? Error, CaptureFileFormat Format, IReadOnlyList<CaptureInterface> Interfaces, long RecordsRead);

internal static class CaptureReading
{
    public static ReadResult ReadAll(byte[] bytes) => ReadAll(new MemoryStream(bytes, writable: false));

    public static ReadResult ReadAll(Stream stream)
    {
        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        var records = new List<RecordCopy>();
        while (reader.TryReadNext(out CaptureRecord record))
        {
            records.Add(new RecordCopy(
                record.Data.ToArray(),
                record.OriginalLength,
                record.TimestampNanoseconds,
                record.LinkType,
                record.InterfaceIndex,
                record.FileOffset));
        }

        // A reader that stopped stays stopped.
        Assert.False(reader.TryReadNext(out _));
        return new ReadResult(records, reader.Error, reader.Format, [.. reader.Interfaces], reader.RecordsRead);
    }

    public static byte[] Bytes(int length, byte seed)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(seed + i);
        }

        return data;
    }
}
