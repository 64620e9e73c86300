namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>The verdict of one health check.</summary>
public enum HealthStatus
{
    /// <summary>What was measured is as the role needs it.</summary>
    Pass,

    /// <summary>Works, but something is unknown or suboptimal; the copy can still run.</summary>
    Warning,

    /// <summary>A misconfiguration that makes copied connections fail; the remedy says how to fix it.</summary>
    Fail,

    /// <summary>Not applicable with the parameters given (no transfer, no fake network, no tool to ask).</summary>
    Skipped,
}
