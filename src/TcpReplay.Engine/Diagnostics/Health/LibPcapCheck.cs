using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// libpcap loads, and which version. Catches: datalink capture (Pcap, Auto's fallback, the intercept) and ARP
/// probes failing with DllNotFoundException.
/// </summary>
public sealed class LibPcapCheck : IHealthCheck
{
    public string Name => "LibPcap";

    public HealthRole Role => HealthRole.Host;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        var info = LibPcapProbe.Probe();
        if (info.IsAvailable)
        {
            return new HealthCheckResult(Name, Role, HealthStatus.Pass, $"{info.Version} ({info.LibraryPath}).");
        }

        // A copier with RawSocket capture can do without it; the intercept and the Auto fallback cannot.
        var status = options.CaptureMode == CaptureMode.RawSocket ? HealthStatus.Warning : HealthStatus.Fail;
        return new HealthCheckResult(Name, Role, status, "libpcap cannot be loaded (tried libpcap.so.1, libpcap.so.0.8, libpcap.so): no datalink capture, no intercept, no ARP probe.", info.Remedy);
    }
}
