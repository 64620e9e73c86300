namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>The part a host plays in a live copy; checks that every role needs carry <see cref="Host"/>.</summary>
public enum HealthRole
{
    /// <summary>Any role: privileges, libpcap, the interface, offloads, the clock.</summary>
    Host,

    /// <summary>The production server, where Start-TcpCopy captures client traffic.</summary>
    Online,

    /// <summary>The server under test, which must route the fake client network via the assistant.</summary>
    Target,

    /// <summary>The host that captures the target's answers (Start-Intercept) and must not forward them.</summary>
    Assistant,
}
