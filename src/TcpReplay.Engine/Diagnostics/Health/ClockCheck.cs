
namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>
/// Is the clock synchronised? Replays compare timestamps across hosts (reports, the Timeline pacing of captures),
/// so a drifting clock misleads, but never breaks a copy: this check warns, it never fails.
/// </summary>
public sealed class ClockCheck : IHealthCheck
{
    private const string Remedy = "Run a time service and let it synchronise: apt-get install chrony (then chronyc tracking), or timedatectl set-ntp true.";
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(3);

    public string Name => "ClockSync";

    public HealthRole Role => HealthRole.Host;

    public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken)
    {
        var timedatectl = ExternalCommand.TryRun("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], CommandLimit, cancellationToken);
        var chrony = ExternalCommand.TryRun("chronyc", ["-n", "tracking"], CommandLimit, cancellationToken);
        var (status, detail) = Decide(timedatectl, chrony);
        return new HealthCheckResult(Name, Role, status, detail, status == HealthStatus.Pass ? null : Remedy);
    }

    /// <summary>Decides from the outputs of timedatectl and chronyc (null when the tool did not answer); unknown is a Warning, never a Fail.</summary>
    internal static (HealthStatus Status, string Detail) Decide(string? timedatectl, string? chronyTracking)
    {
        switch (timedatectl?.Trim())
        {
            case "yes":
                return (HealthStatus.Pass, "timedatectl: the clock is synchronised (NTPSynchronized=yes).");
            case "no":
                return (HealthStatus.Warning, "timedatectl: the clock is not synchronised (NTPSynchronized=no); timestamps compared across hosts may disagree.");
        }

        if (chronyTracking is not null)
        {
            foreach (var line in chronyTracking.Split('\n'))
            {
                var colon = line.IndexOf(':');
                if (colon > 0 && line[..colon].Trim() == "Leap status")
                {
                    var value = line[(colon + 1)..].Trim();
                    return value == "Normal"
                        ? (HealthStatus.Pass, "chronyc tracking: the clock is synchronised (Leap status: Normal).")
                        : (HealthStatus.Warning, $"chronyc tracking: Leap status '{value}'; the clock is not synchronised.");
                }
            }
        }

        return (HealthStatus.Warning, "Unknown: neither timedatectl nor chronyc reports the clock's synchronisation (no systemd, or no time service).");
    }
}
