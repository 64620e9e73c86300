using System.Management.Automation;
using TcpReplay.Engine.Capture;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>ErrorRecords for capture failures, one ErrorId per cause.</summary>
internal static class CaptureErrors
{
    public static ErrorRecord From(CaptureException exception, string target)
    {
        var (errorId, category, action) = exception.Kind switch
        {
            CaptureErrorKind.NotPermitted => ("NotPermitted", ErrorCategory.PermissionDenied, "Run as root, or grant CAP_NET_RAW and CAP_NET_ADMIN."),
            CaptureErrorKind.LibPcapMissing => ("LibPcapNotFound", ErrorCategory.NotInstalled, "Install libpcap: apt-get install libpcap0.8."),
            CaptureErrorKind.InterfaceNotFound => ("InterfaceNotFound", ErrorCategory.ObjectNotFound, "List the interfaces with 'ip link' and pass one, or 'any'."),
            CaptureErrorKind.InvalidFilter => ("InvalidCaptureFilter", ErrorCategory.InvalidArgument, "Check the BPF filter syntax (man pcap-filter)."),
            _ => ("CaptureOpenFailed", ErrorCategory.OpenError, "Check the interface and privileges; the message says what libpcap or the kernel answered."),
        };
        return ErrorRecords.Create(exception, errorId, category, target, action);
    }
}
