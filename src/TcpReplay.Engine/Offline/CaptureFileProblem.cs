using TcpReplay.Engine.Capture.Files;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// A capture file an offline replay could not read to its end: damaged (<see cref="Damage"/>: truncated or corrupt
/// at an offset, after <see cref="RecordsRead"/> good records, which are replayed), or not readable at all
/// (<see cref="Unreadable"/>: an I/O error, nothing of it replayed).
/// </summary>
public sealed record CaptureFileProblem(string File, long RecordsRead, CaptureFileError? Damage, string? Unreadable)
{
    public override string ToString() => Damage is { } damage
        ? $"{File}: {damage.Kind} at byte offset {damage.Offset} after {RecordsRead} records: {damage.Message}"
        : $"{File}: {Unreadable}";
}
