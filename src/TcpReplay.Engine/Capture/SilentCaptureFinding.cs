namespace TcpReplay.Engine.Capture;

/// <summary>What <see cref="SilentCaptureMonitor"/> found out about a silent IP-layer capture.</summary>
public enum SilentCaptureFinding
{
    /// <summary>Nothing to report (yet, or the IP layer delivers).</summary>
    None,

    /// <summary>The datalink sees the clients' packets the IP layer misses: they are forwarded (DNAT).</summary>
    Forwarded,

    /// <summary>Neither layer sees a packet for the ports: nobody sends (or to another interface or port).</summary>
    NoTraffic,

    /// <summary>The IP layer is silent and the datalink could not be looked at (no libpcap, ...).</summary>
    DatalinkUnavailable,
}
