using System.Management.Automation;
using TcpReplay.Engine.Statistics;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Publishes a session's figures on the TcpReplay Meter while the session runs, and serves them over HTTP when
/// -MetricsEndpoint asks: both end when the job reaches a finished state (Stop-TcpCopy, Stop-Intercept, Remove-Job),
/// so the port is free again when the stop returns.
/// </summary>
internal static class SessionMetrics
{
    private const string InvalidUrlFix = "Give an http URL with this host's address and a free port, for example -MetricsEndpoint http://198.18.0.20:9464/ (scraped at /metrics).";

    /// <summary>
    /// Keeps <paramref name="registration"/> (from <see cref="ReplayMetrics.Register(CopyMetricsSource)"/>) as long as the
    /// session runs, and starts the endpoint for <paramref name="url"/> (none if null). When the endpoint cannot start,
    /// the session is stopped and a terminating error names the cause and the fix.
    /// </summary>
    public static void Attach(PSCmdlet cmdlet, Job session, IDisposable registration, string? url)
    {
        MetricsEndpoint? endpoint = null;
        if (url is not null)
        {
            try
            {
                endpoint = MetricsEndpoint.Start(url);
            }
            catch (MetricsEndpointException exception)
            {
                registration.Dispose();
                session.StopJob();
                cmdlet.ThrowTerminatingError(ErrorFor(exception, url));
            }

            cmdlet.WriteVerbose($"Metrics of {session.Name}: {endpoint!.ScrapeUri}");
        }

        session.StateChanged += (_, e) =>
        {
            if (e.JobStateInfo.State is JobState.Stopped or JobState.Failed or JobState.Completed)
            {
                endpoint?.Dispose();
                registration.Dispose();
            }
        };
    }

    private static ErrorRecord ErrorFor(MetricsEndpointException exception, string url) => exception.Kind switch
    {
        MetricsEndpointErrorKind.InvalidUrl => ErrorRecords.Create(exception, "InvalidMetricsEndpoint", ErrorCategory.InvalidArgument, url, InvalidUrlFix),
        MetricsEndpointErrorKind.AddressInUse => ErrorRecords.Create(exception, "MetricsEndpointInUse", ErrorCategory.ResourceUnavailable, url,
            "Another program (or session) listens on that port: pick another port in -MetricsEndpoint, or find the listener with: ss -ltnp"),
        MetricsEndpointErrorKind.AddressNotAvailable => ErrorRecords.Create(exception, "MetricsEndpointAddressNotAvailable", ErrorCategory.InvalidArgument, url,
            "Use an address of this host (ip -4 addr), or http://0.0.0.0:<port>/ to listen on all of them."),
        MetricsEndpointErrorKind.DependencyConflict => ErrorRecords.Create(exception, "MetricsEndpointDependencyConflict", ErrorCategory.ResourceUnavailable, url,
            "Start the session in a fresh pwsh (pwsh -NoProfile) that imports TcpReplay before other modules such as PSResourceGet, or read the TcpReplay Meter with dotnet-counters instead of -MetricsEndpoint."),
        _ => ErrorRecords.Create(exception, "MetricsEndpointFailed", ErrorCategory.OpenError, url, InvalidUrlFix),
    };
}
