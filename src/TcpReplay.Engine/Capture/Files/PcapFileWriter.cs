using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture.Files;

/// <summary>
/// Writes a classic pcap file (version 2.4, little-endian) to a stream: the file header at
/// construction, then one record per <see cref="Write"/>, gathered in a 64 KiB buffer so the stream
/// sees few large writes. No allocation per record.
/// </summary>
/// <remarks>
/// Records reach the stream when the buffer fills, on <see cref="Flush"/> and on <see cref="Dispose"/>.
/// Arguments out of range throw; the stream's I/O errors propagate. Not thread-safe.
/// </remarks>
public sealed class PcapFileWriter : IDisposable
{
    /// <summary>The snap length used when none is given: 262,144 bytes, as tcpdump's default.</summary>
    public const int DefaultSnapLength = 262144;

    private const int BufferLength = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _snapLength;
    private readonly bool _nanosecondResolution;
    private readonly byte[] _buffer = new byte[BufferLength];
    private int _buffered;
    private bool _disposed;

    /// <summary>Writes the pcap file header to the buffer; it reaches the stream with the first flush.</summary>
    /// <param name="stream">A writable stream, positioned where the file starts.</param>
    /// <param name="linkType">Link-layer header type of every record's data.</param>
    /// <param name="snapLength">Captured bytes kept per record (more are cut, the original length stays); positive.</param>
    /// <param name="nanosecondResolution">True for the nanosecond magic (0xA1B23C4D), false for microseconds (0xA1B2C3D4).</param>
    /// <param name="leaveOpen">True to leave <paramref name="stream"/> open when the writer is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="snapLength"/> is not positive.</exception>
    public PcapFileWriter(
        Stream stream, LinkType linkType, int snapLength = DefaultSnapLength, bool nanosecondResolution = false, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapLength);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _snapLength = snapLength;
        _nanosecondResolution = nanosecondResolution;

        Span<byte> header = _buffer.AsSpan(0, PcapFormat.FileHeaderLength);
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(
            header[PcapFormat.MagicOffset..], nanosecondResolution ? PcapFormat.MagicNanoseconds : PcapFormat.MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[PcapFormat.VersionMajorOffset..], PcapFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[PcapFormat.VersionMinorOffset..], PcapFormat.VersionMinor);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.SnapLengthOffset..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.LinkTypeOffset..], (uint)linkType);
        _buffered = PcapFormat.FileHeaderLength;
    }

    /// <summary>Number of records written (buffered or not) so far.</summary>
    public long RecordsWritten { get; private set; }

    /// <summary>Appends one record.</summary>
    /// <param name="data">The packet from its link-layer header on; bytes past the snap length are not written.</param>
    /// <param name="timestampNanoseconds">
    /// Capture time in nanoseconds since the Unix epoch (UTC), from 0 to the end of 2106 (pcap's unsigned
    /// 32-bit seconds). Truncated to whole microseconds unless the file has nanosecond resolution.
    /// </param>
    /// <param name="originalLength">Length on the wire; -1 (the default) means <c>data.Length</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The timestamp is outside pcap's range, or <paramref name="originalLength"/> is below -1 or
    /// shorter than <paramref name="data"/>.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Write(ReadOnlySpan<byte> data, long timestampNanoseconds, int originalLength = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long seconds = timestampNanoseconds / (long)CaptureTimestamp.NanosecondsPerSecond;
        if (timestampNanoseconds < 0 || seconds > uint.MaxValue)
        {
            ThrowTimestampOutOfRange(timestampNanoseconds);
        }

        if (originalLength == -1)
        {
            originalLength = data.Length;
        }
        else if (originalLength < data.Length)
        {
            ThrowOriginalLengthOutOfRange(originalLength, data.Length);
        }

        uint fraction = (uint)(timestampNanoseconds - (seconds * (long)CaptureTimestamp.NanosecondsPerSecond));
        if (!_nanosecondResolution)
        {
            fraction /= 1000;
        }

        ReadOnlySpan<byte> captured = data.Length > _snapLength ? data[.._snapLength] : data;
        if (BufferLength - _buffered < PcapFormat.RecordHeaderLength + captured.Length)
        {
            FlushBuffer();
        }

        Span<byte> header = _buffer.AsSpan(_buffered, PcapFormat.RecordHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.TimestampSecondsOffset..], (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.TimestampFractionOffset..], fraction);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.CapturedLengthOffset..], (uint)captured.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.OriginalLengthOffset..], (uint)originalLength);
        _buffered += PcapFormat.RecordHeaderLength;

        if (captured.Length > BufferLength - _buffered)
        {
            // Larger than the whole buffer: the header goes out first, the data straight from the caller.
            FlushBuffer();
            _stream.Write(captured);
        }
        else
        {
            captured.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += captured.Length;
        }

        RecordsWritten++;
    }

    /// <summary>Writes buffered records to the stream and flushes the stream.</summary>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        FlushBuffer();
        _stream.Flush();
    }

    /// <summary>Flushes, then closes the stream unless the writer was created with leaveOpen.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            FlushBuffer();
            _stream.Flush();
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    private void FlushBuffer()
    {
        if (_buffered > 0)
        {
            _stream.Write(_buffer, 0, _buffered);
            _buffered = 0;
        }
    }

    private static void ThrowTimestampOutOfRange(long timestampNanoseconds) =>
        throw new ArgumentOutOfRangeException(
            nameof(timestampNanoseconds),
            timestampNanoseconds,
            "pcap stores unsigned 32-bit seconds since 1970: the timestamp must lie in 1970-2106.");

    private static void ThrowOriginalLengthOutOfRange(int originalLength, int capturedLength) =>
        throw new ArgumentOutOfRangeException(
            nameof(originalLength),
            originalLength,
            $"The original length must be -1 or at least the {capturedLength} bytes given.");
}
