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
}
