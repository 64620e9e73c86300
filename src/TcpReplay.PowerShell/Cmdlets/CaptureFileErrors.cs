using System.Management.Automation;
using TcpReplay.Engine.Capture.Files;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>ErrorRecords for damaged or unreadable capture files, shared by every cmdlet that reads them.</summary>
internal static class CaptureFileErrors
{
    public static ErrorRecord FromDamage(string path, CaptureFileError error, long recordsRead)
    {
        var (errorId, action) = error.Kind switch
        {
            CaptureFileErrorKind.NotACaptureFile => ("NotACaptureFile",
                "Pass a pcap or pcapng file, as written by tcpdump -w, tshark -w or dumpcap."),
            CaptureFileErrorKind.Truncated => ("CaptureFileTruncated",
                "The file ends inside a record, as when the capture was copied while tcpdump was still writing, or the disk filled. The records before the offset were read; capture again with 'tcpdump -U' and stop it with Ctrl+C or SIGINT."),
            CaptureFileErrorKind.UnsupportedVersion => ("CaptureFileUnsupportedVersion",
                "Convert the file with 'editcap -F pcap <in> <out>' and read the result."),
            _ => ("CaptureFileCorrupt",
                "The file is damaged at the offset: the records before it were read. Try 'pcapfix' or 'editcap' to recover the rest."),
        };

        var message = $"{path}: {error.Message} (at byte offset {error.Offset}; {recordsRead} records read before it).";
        return ErrorRecords.Create(new InvalidDataException(message), errorId, ErrorCategory.InvalidData, path, action);
    }

    public static ErrorRecord FromIo(string path, Exception exception) =>
        ErrorRecords.Create(exception, "CaptureFileUnreadable", ErrorCategory.ReadError, path,
            "Check that the file exists and that you may read it.");
}
