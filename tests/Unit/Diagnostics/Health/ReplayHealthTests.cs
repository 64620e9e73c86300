using TcpReplay.Engine.Diagnostics.Health;

namespace TcpReplay.Engine.Tests.Diagnostics.Health;

public sealed class ReplayHealthTests
{
    private sealed class BrokenCheck : IHealthCheck
    {
        public string Name => "Broken";

        public HealthRole Role => HealthRole.Online;

        public HealthCheckResult Run(HealthCheckOptions options, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the tool printed nonsense");
    }

    [Fact]
    public void ACheckThatThrowsIsReportedAsAWarningNamingTheProblemNeverThrown()
    {
        var result = ReplayHealth.RunOne(new BrokenCheck(), new HealthCheckOptions());
        Assert.Equal(HealthStatus.Warning, result.Status);
        Assert.Equal("Broken", result.Name);
        Assert.Contains("the tool printed nonsense", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void EachRoleGetsTheHostChecksAndOnlyItsOwn()
    {
        var target = ReplayHealth.ChecksFor([HealthRole.Target]).ToList();
        Assert.Contains(target, c => c.Name == "Privileges");
        Assert.Contains(target, c => c.Name == "FakeNetworkRoute");
        Assert.DoesNotContain(target, c => c.Role is HealthRole.Online or HealthRole.Assistant);
        Assert.Equal(ReplayHealth.AllChecks.Count, ReplayHealth.ChecksFor([HealthRole.Online, HealthRole.Target, HealthRole.Assistant]).Count());
    }

    [Fact]
    public void CheckNamesAreUnique()
    {
        Assert.Equal(ReplayHealth.AllChecks.Count, ReplayHealth.AllChecks.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void ChecksWithoutTheParametersTheyNeedAreSkippedNotFailed()
    {
        var options = new HealthCheckOptions();
        foreach (var name in new[] { "CaptureLayer", "OnlineServiceListening", "InterceptReachable", "TargetPortOpen", "FakeNetworkRoute", "ReversePathFilter", "FakeAddressUnowned", "ResponseCapture", "Interface", "Offloads" })
        {
            var check = ReplayHealth.AllChecks.Single(c => c.Name == name);
            Assert.Equal(HealthStatus.Skipped, ReplayHealth.RunOne(check, options).Status);
        }
    }
}
