using System.Buffers.Binary;

namespace TcpReplay.Engine.Hosting;

/// <summary>
/// Framing of the session ↔ copier-process pipe: a 4-byte little-endian length, the frame type, then the payload.
/// Frames carry figures and records a few times a second, never packets, so plain streams and BinaryWriter do.
/// </summary>
internal static class HostFrames
{
    /// <summary>Larger than any status or record list the host sends (the records kept are bounded by RetainedRecords).</summary>
    public const int MaxFrameBytes = 256 * 1024 * 1024;

    public static void Write(Stream stream, HostFrameType type, Action<BinaryWriter>? writePayload = null)
    {
        using var payload = new MemoryStream();
        payload.Write([0, 0, 0, 0, (byte)type]);
        if (writePayload is not null)
        {
            using var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true);
            writePayload(writer);
        }

        var frame = payload.GetBuffer();
        BinaryPrimitives.WriteInt32LittleEndian(frame, (int)payload.Length - 4);
        stream.Write(frame, 0, (int)payload.Length);
        stream.Flush();
    }

    /// <summary>The next frame, or null at the end of the stream (the other side is gone).</summary>
    /// <exception cref="InvalidDataException">A frame length out of range, or a stream that ends inside a frame.</exception>
    public static (HostFrameType Type, BinaryReader Payload)? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        if (!ReadExactly(stream, header, allowEnd: true))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 1 || length > MaxFrameBytes)
        {
            throw new InvalidDataException($"A copier-process frame of {length} bytes is out of range (1..{MaxFrameBytes}).");
        }

        var body = new byte[length];
        ReadExactly(stream, body, allowEnd: false);
        return ((HostFrameType)body[0], new BinaryReader(new MemoryStream(body, 1, length - 1, writable: false), System.Text.Encoding.UTF8));
    }

    private static bool ReadExactly(Stream stream, Span<byte> buffer, bool allowEnd)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer[read..]);
            if (n == 0)
            {
                if (read == 0 && allowEnd)
                {
                    return false;
                }

                throw new InvalidDataException($"The copier-process pipe ended inside a frame ({read} of {buffer.Length} bytes).");
            }

            read += n;
        }

        return true;
    }
}
