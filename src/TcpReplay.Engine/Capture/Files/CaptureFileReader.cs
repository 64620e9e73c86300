using System.Buffers;
using System.Buffers.Binary;
using System.Collections.ObjectModel;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture.Files;

/// <summary>
/// Reads packet records from a classic pcap or a pcapng file, one at a time, without allocating per
/// record: each record's bytes borrow one reusable buffer that is refilled by large reads.
/// </summary>
/// <remarks>
/// <para>
/// Content is never a reason to throw: a file that is not a capture, ends early or holds an
/// impossible length makes <see cref="TryReadNext"/> return false and sets <see cref="Error"/>, after
/// every record before the damage has been returned. I/O failures of the underlying stream
/// (<see cref="IOException"/> and its kin) do propagate, from <see cref="Open(string)"/>,
/// <see cref="Open(Stream, bool)"/> and <see cref="TryReadNext"/>.
/// </para>
/// <para>
/// pcapng files may hold several sections, each in its own byte order, and any number of interfaces;
/// Enhanced, Simple and obsolete Packet Blocks are returned, every other block type is skipped by its
/// length. Offsets (<see cref="Position"/>, <see cref="CaptureRecord.FileOffset"/>,
/// <see cref="CaptureFileError.Offset"/>) count bytes from the stream's position at open.
/// </para>
/// <para>Not thread-safe: one reader belongs to one thread at a time.</para>
/// </remarks>
public sealed partial class CaptureFileReader : IDisposable
{
    /// <summary>
    /// The largest captured length accepted for one record (256 KiB, libpcap's and Wireshark's limit
    /// for Ethernet). A record claiming more is reported as <see cref="CaptureFileErrorKind.Corrupt"/>,
    /// whatever snap length the file declares; a record longer than its snap length but within this
    /// limit is returned whole, as libpcap does.
    /// </summary>
    public const int MaxCapturedLength = 256 * 1024;

    /// <summary>
    /// The largest pcapng section header, interface or packet block accepted (1 MiB): these blocks are
    /// held whole in memory to check their trailing length. Longer ones are reported as
    /// <see cref="CaptureFileErrorKind.Corrupt"/>; other block types are skipped at any length.
    /// </summary>
    public const int MaxBufferedBlockLength = 1024 * 1024;

    private const int DefaultBufferLength = 256 * 1024;
    private const int MinBufferLength = 4 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly List<CaptureInterface> _interfaces = [];
    private byte[] _buffer;

    // _buffer[_start.._end] holds unread input; _buffer[0] is at input offset _bufferOffset.
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _endOfStream;
    private bool _disposed;

    private CaptureFileReader(Stream stream, bool leaveOpen)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        if (stream.CanSeek)
        {
            Length = Math.Max(0, stream.Length - stream.Position);
        }

        // A small file needs no 256 KiB buffer; Fill grows it for a larger record anyway.
        int initial = Length is { } length ? (int)Math.Clamp(length, MinBufferLength, DefaultBufferLength) : DefaultBufferLength;
        _buffer = ArrayPool<byte>.Shared.Rent(initial);
        Interfaces = new ReadOnlyCollection<CaptureInterface>(_interfaces);
    }

    /// <summary>The container format, known once the first bytes are read (at open).</summary>
    public CaptureFileFormat Format { get; private set; }

    /// <summary>Why reading stopped early, or null while the input is sound (also after a clean end).</summary>
    public CaptureFileError? Error { get; private set; }

    /// <summary>Offset of the next unread byte, for progress.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Bytes from the stream's position to its end, taken at open, when the stream can seek; null otherwise.</summary>
    public long? Length { get; }

    /// <summary>Number of records returned by <see cref="TryReadNext"/> so far.</summary>
    public long RecordsRead { get; private set; }

    /// <summary>
    /// Interfaces seen so far, indexed by <see cref="CaptureRecord.InterfaceIndex"/>: for pcap the one
    /// described by the file header (known at open); for pcapng one per Interface Description Block,
    /// in file order across sections, added as the reader reaches them.
    /// </summary>
    public IReadOnlyList<CaptureInterface> Interfaces { get; }

    /// <summary>
    /// Opens a capture file for sequential reading and reads its header. The file may still be
    /// growing (it is shared for reading and writing).
    /// </summary>
    /// <param name="path">Path of a pcap or pcapng file.</param>
    /// <returns>A reader; check <see cref="Error"/> (or the first <see cref="TryReadNext"/>) for format problems.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
    /// <exception cref="IOException">Another I/O failure while opening or reading the header.</exception>
    public static CaptureFileReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // No FileStream buffer: the reader's own buffer already turns records into large reads.
        var stream = new FileStream(
            path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        try
        {
            return Open(stream, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Starts reading a capture from the current position of <paramref name="stream"/> and reads its header.</summary>
    /// <param name="stream">A readable stream. Seeking is used, when available, to skip large unknown blocks.</param>
    /// <param name="leaveOpen">True to leave <paramref name="stream"/> open when the reader is disposed.</param>
    /// <returns>A reader; check <see cref="Error"/> (or the first <see cref="TryReadNext"/>) for format problems.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="IOException">The stream fails while the header is read.</exception>
    public static CaptureFileReader Open(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable.", nameof(stream));
        }

        var reader = new CaptureFileReader(stream, leaveOpen);
        try
        {
            reader.ReadFileHeader();
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next packet record. Blocks that carry no packet (pcapng interface descriptions,
    /// statistics, name resolution, custom blocks) are consumed on the way.
    /// </summary>
    /// <param name="record">The record; its <see cref="CaptureRecord.Data"/> is valid until the next call or <see cref="Dispose"/>.</param>
    /// <returns>
    /// True with a record; false at the clean end of the input (<see cref="Error"/> stays null) or at
    /// damage (<see cref="Error"/> says what and where). Every later call returns false too.
    /// </returns>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    /// <exception cref="IOException">The underlying stream fails.</exception>
    public bool TryReadNext(out CaptureRecord record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Error is null)
        {
            if (Format == CaptureFileFormat.Pcap)
            {
                return TryReadPcapRecord(out record);
            }

            if (Format == CaptureFileFormat.PcapNg)
            {
                return TryReadPcapNgRecord(out record);
            }
        }

        record = default;
        return false;
    }

    /// <summary>Returns the buffer to its pool and closes the stream unless it was opened with leaveOpen.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        byte[] buffer = _buffer;
        _buffer = [];
        ArrayPool<byte>.Shared.Return(buffer);
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void ReadFileHeader()
    {
        if (!Ensure(4))
        {
            Fail(
                CaptureFileErrorKind.NotACaptureFile,
                0,
                $"The input holds {_end - _start} bytes, fewer than the 4 of a pcap or pcapng magic number.");
            return;
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(Unread(4));
        switch (magic)
        {
            case PcapFormat.MagicMicroseconds:
            case PcapFormat.MagicMicrosecondsSwapped:
            case PcapFormat.MagicNanoseconds:
            case PcapFormat.MagicNanosecondsSwapped:
                Format = CaptureFileFormat.Pcap;
                ReadPcapFileHeader(magic);
                return;
            case PcapNgFormat.SectionHeaderBlockType:
                ReadPcapNgFirstSection();
                return;
            case PcapFormat.MagicModified:
            case PcapFormat.MagicModifiedSwapped:
                Fail(
                    CaptureFileErrorKind.UnsupportedVersion,
                    0,
                    "Modified (Kuznetzov) pcap format, magic 0xA1B2CD34, is not supported; convert it with editcap -F pcap.");
                return;
        }

        string message = (magic & 0xFFFF) == 0x8B1F
            ? "The input is gzip-compressed; decompress it first."
            : $"The first 4 bytes (0x{magic:X8} little-endian) are no pcap or pcapng magic number.";
        Fail(CaptureFileErrorKind.NotACaptureFile, 0, message);
    }

    private bool Fail(CaptureFileErrorKind kind, long offset, string message)
    {
        Error = new CaptureFileError(kind, offset, message);
        return false;
    }

    private void AddInterface(CaptureInterface captureInterface) => _interfaces.Add(captureInterface);

    private static int ClampToInt(uint value) => value > int.MaxValue ? int.MaxValue : (int)value;

    private static LinkType ToLinkType(uint value) => (LinkType)(ushort)value;
}
