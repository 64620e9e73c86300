using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture.Files;

/// <summary>
/// One packet record of a capture file, as returned by <see cref="CaptureFileReader.TryReadNext"/>.
/// </summary>
/// <remarks>
/// <see cref="Data"/> borrows the reader's buffer: it is valid until the next call to
/// <see cref="CaptureFileReader.TryReadNext"/> or <see cref="CaptureFileReader.Dispose"/>, and must be
/// copied (into a pooled buffer) to be kept longer. Callers may rewrite it in place.
/// </remarks>
public readonly ref struct CaptureRecord
{
    internal CaptureRecord(
        Span<byte> data, int originalLength, long timestampNanoseconds, LinkType linkType, int interfaceIndex, long fileOffset)
    {
        Data = data;
        OriginalLength = originalLength;
        TimestampNanoseconds = timestampNanoseconds;
        LinkType = linkType;
        InterfaceIndex = interfaceIndex;
        FileOffset = fileOffset;
    }

    /// <summary>The captured bytes, starting with the link-layer header named by <see cref="LinkType"/>.</summary>
    public Span<byte> Data { get; }

    /// <summary>
    /// Length of the packet on the wire, in bytes, as the file states it. Larger than
    /// <c>Data.Length</c> when the capture cut the packet at its snap length.
    /// </summary>
    public int OriginalLength { get; }

    /// <summary>
    /// Capture time in nanoseconds since 1970-01-01T00:00:00Z, computed exactly from the file's units
    /// (pcapng <c>if_tsoffset</c> applied). Resolutions finer than 1 ns are truncated toward the past.
    /// </summary>
    public long TimestampNanoseconds { get; }

    /// <summary>Link-layer header type of <see cref="Data"/>, from the file header or the record's interface.</summary>
    public LinkType LinkType { get; }

    /// <summary>
    /// Index of the record's interface in <see cref="CaptureFileReader.Interfaces"/>. Always 0 for pcap.
    /// For pcapng, interfaces are numbered across sections in file order, so in a single-section file
    /// this equals the block's interface ID.
    /// </summary>
    public int InterfaceIndex { get; }

    /// <summary>Byte offset of the record header (pcap) or block header (pcapng) in the input.</summary>
    public long FileOffset { get; }
}
