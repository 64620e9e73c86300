using TcpReplay.Engine.Channel;

namespace TcpReplay.Engine.Intercept;

public sealed class InterceptServiceOptions
{
    /// <summary>Interface facing the target, where its answers to the fake clients arrive.</summary>
    public required string Interface { get; init; }

    /// <summary>A BPF filter that replaces the default one.</summary>
    public string? Filter { get; init; }

    /// <summary>Target service ports; the default filter takes the target's packets from these ports only. Empty: every TCP packet but the channel's.</summary>
    public IReadOnlyList<ushort> TargetPorts { get; init; } = [];

    public InterceptServerOptions Server { get; init; } = new();

    /// <summary>Start even though the host forwards IP packets (the target's answers would then reach the fake clients' networks).</summary>
    public bool AllowForwarding { get; init; }

    /// <summary>
    /// How late the capture may hand the target's answers over, in whole milliseconds (0 to 100): the kernel fills
    /// libpcap's blocks and wakes the capture thread once per block instead of once per packet, and the records of a
    /// block leave for the copiers as soon as it is routed. The default, 2 ms, is the combined frame's flush interval,
    /// which bounded an answer's wait before, for several times fewer wake-ups under load (docs/benchmarks.md,
    /// Session 12). 0 hands each answer over at once (libpcap's immediate mode).
    /// </summary>
    public TimeSpan CaptureBatchWindow { get; init; } = TimeSpan.FromMilliseconds(2);
}
