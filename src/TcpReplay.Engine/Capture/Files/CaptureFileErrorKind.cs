namespace TcpReplay.Engine.Capture.Files;

/// <summary>Why a <see cref="CaptureFileReader"/> stopped before the clean end of its input.</summary>
public enum CaptureFileErrorKind
{
    /// <summary>
    /// The first four bytes are no pcap or pcapng magic number. An input shorter than four bytes,
    /// including an empty one, is reported this way too, at offset 0.
    /// </summary>
    NotACaptureFile,

    /// <summary>
    /// The input ends inside a file header, record header, record or block. Everything before the
    /// damaged record has been returned; the error's offset is that record's (or block's) header.
    /// </summary>
    Truncated,

    /// <summary>
    /// A length or field cannot be right: a block length that is not a multiple of 4, below the
    /// minimum for its type or different at its end; a captured length above
    /// <see cref="CaptureFileReader.MaxCapturedLength"/> or beyond its block; an interface that
    /// was never described; a timestamp outside the range of <see cref="long"/> nanoseconds.
    /// </summary>
    Corrupt,

    /// <summary>A known magic number with a format version this reader does not implement.</summary>
    UnsupportedVersion,
}
