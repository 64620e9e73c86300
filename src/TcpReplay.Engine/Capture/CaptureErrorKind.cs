namespace TcpReplay.Engine.Capture;

/// <summary>Why a capture or injection handle could not be opened.</summary>
public enum CaptureErrorKind
{
    /// <summary>The process lacks root or CAP_NET_RAW (and CAP_NET_ADMIN for libpcap).</summary>
    NotPermitted,

    /// <summary>libpcap (libpcap.so.0.8 / libpcap.so.1) could not be loaded.</summary>
    LibPcapMissing,

    /// <summary>No interface of that name in the current network namespace.</summary>
    InterfaceNotFound,

    /// <summary>libpcap rejected the BPF filter expression.</summary>
    InvalidFilter,

    /// <summary>Any other failure to open or configure the handle.</summary>
    OpenFailed,
}
