namespace TcpReplay.Engine.Tests;

/// <summary>
/// Tests that measure the real clock (how late a wait wakes): they run alone, after the parallel tests, because
/// on two shared cores a fuzz test running beside them makes every thread late.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealClockCollection
{
    public const string Name = "Real clock";
}
