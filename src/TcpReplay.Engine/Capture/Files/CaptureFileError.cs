namespace TcpReplay.Engine.Capture.Files;

/// <summary>Why and where a capture file could not be read to its end.</summary>
/// <param name="Kind">The class of damage.</param>
/// <param name="Offset">
/// Byte offset where the damage starts: the file header (0), or the header of the record or block
/// that could not be read. Offsets count from the position of the stream when the reader was opened.
/// </param>
/// <param name="Message">A sentence for people: what was found, with the numbers involved.</param>
public sealed record CaptureFileError(CaptureFileErrorKind Kind, long Offset, string Message);
