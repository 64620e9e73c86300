namespace TcpReplay.Engine.Capture;

/// <summary>
/// A capture source or packet injector could not be opened. The message says what failed and how to fix it
/// (run as root or grant CAP_NET_RAW, install libpcap, list interfaces with <c>ip link</c>, ...).
/// </summary>
public sealed class CaptureException : Exception
{
    public CaptureException(CaptureErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>The cause, for callers that map it to an error id.</summary>
    public CaptureErrorKind Kind { get; }

    internal static CaptureException NotPermitted(string what, Exception? inner = null) => new(
        CaptureErrorKind.NotPermitted,
        $"Not permitted to open {what}: run as root, or grant the process CAP_NET_RAW and CAP_NET_ADMIN "
        + "(for example `sudo setcap cap_net_raw,cap_net_admin+eip <path to pwsh>`).",
        inner);

    internal static CaptureException LibPcapMissing(Exception? inner = null) => new(
        CaptureErrorKind.LibPcapMissing,
        "libpcap could not be loaded (looked for libpcap.so, libpcap.so.0.8, libpcap.so.1): install it with "
        + "`apt-get install libpcap0.8` (Debian/Ubuntu) or `dnf install libpcap` (Fedora/RHEL).",
        inner);

    internal static CaptureException InterfaceNotFound(string interfaceName, Exception? inner = null) => new(
        CaptureErrorKind.InterfaceNotFound,
        $"Interface '{interfaceName}' was not found in this network namespace: list the interfaces with `ip link` "
        + "(use \"any\" to capture on all of them).",
        inner);
}
