using System.Diagnostics;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>Runs the health checks of one or more roles and collects their results; a check that breaks is reported, never thrown.</summary>
public static class ReplayHealth
{
    /// <summary>Every check, host checks first, then online, target, assistant.</summary>
    public static IReadOnlyList<IHealthCheck> AllChecks { get; } =
    [
        new PrivilegesCheck(),
        new LibPcapCheck(),
        new InterfaceCheck(),
        new OffloadCheck(),
        new ClockCheck(),
        new CaptureLayerCheck(),
        new ServiceListeningCheck(),
        new InterceptReachableCheck(),
        new TargetPortCheck(),
        new FakeRouteCheck(),
        new ReversePathFilterCheck(),
        new FakeAddressOwnerCheck(),
        new IpForwardingCheck(),
        new ResponseCaptureCheck(),
        new InterceptListeningCheck(),
    ];

    /// <summary>The checks for <paramref name="roles"/>, plus the host checks every role needs.</summary>
    public static IEnumerable<IHealthCheck> ChecksFor(IReadOnlyCollection<HealthRole> roles) =>
        AllChecks.Where(c => c.Role == HealthRole.Host || roles.Contains(c.Role));

    /// <summary>Runs each check of <paramref name="roles"/> in turn and yields its result as soon as it is known.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static IEnumerable<HealthCheckResult> Run(IReadOnlyCollection<HealthRole> roles, HealthCheckOptions options, CancellationToken cancellationToken = default)
    {
        foreach (var check in ChecksFor(roles))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return RunOne(check, options, cancellationToken);
        }
    }

    /// <summary>Runs one check; an exception it lets out becomes a Warning naming it, since the check could not decide.</summary>
    public static HealthCheckResult RunOne(IHealthCheck check, HealthCheckOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        HealthCheckResult result;
        try
        {
            result = check.Run(options, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            // The one place that catches everything: a diagnostic must report what it could not measure, not stop the others.
            result = new HealthCheckResult(check.Name, check.Role, HealthStatus.Warning,
                $"The check could not run: {exception.GetType().Name}: {exception.Message}");
        }

        return result with { Duration = clock.Elapsed };
    }
}
