using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Connections;

/// <summary>Settings of one copy: what to copy, how to pace it, and the limits of the connection table.</summary>
public sealed class CopyEngineOptions
{
    public required IReadOnlyList<Transfer> Transfers { get; init; }

    /// <summary>Networks the fake client addresses are taken from; the target must route them via the assistant.</summary>
    public required IReadOnlyList<IPv4Network> FakeClientNetworks { get; init; }

    public PacingMode Pacing { get; init; } = PacingMode.Causal;

    /// <summary>Time for the target's SYN-ACK, SYN retransmissions included (tcpcopy: 3 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A connection with no client packet and no target packet for this long ends with Timeout.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>A connection older than this ends with Timeout, however busy.</summary>
    public TimeSpan MaxConnectionAge { get; init; } = TimeSpan.FromHours(2);

    /// <summary>
    /// The longest wait for the target's answer before held client data goes anyway: the next request (WaitResponse),
    /// a reaction (Causal).
    /// </summary>
    public TimeSpan ResponseWaitTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the close is held for a target that is still answering, and how long a half-closed target may stay open.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a jump in the client's sequence space may wait for the missing segment before it counts as a capture gap.</summary>
    public TimeSpan GapTolerance { get; init; } = TimeSpan.FromMilliseconds(100);

    public int MaxConnections { get; init; } = 65536;

    /// <summary>Path MTU toward the target; larger captured packets (GRO/LRO) are re-segmented.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>MSS announced in the copier's own SYN when the client's SYN was not captured.</summary>
    public ushort DefaultMss { get; init; } = 1460;

    /// <summary>Fake client addresses that answered ARP on the target's segment (a real host owns them).</summary>
    public IReadOnlySet<uint> BystanderAddresses { get; init; } = new HashSet<uint>();

    /// <summary>Closed connection records kept for Get-TcpCopyConnection; the oldest are dropped past it (counted).</summary>
    public int RetainedRecords { get; init; } = 200_000;

    /// <summary>Finished request/answer exchanges kept for <see cref="CopyEngine.GetExchanges"/> (the last ones); 0 keeps none.</summary>
    public int ExchangeLogSize { get; init; } = 10_000;

    /// <summary>
    /// The engine thread's nice value on Linux (-20..19; 0 leaves the inherited one). On a saturated host a copier at
    /// the default priority gets a fair share of the cores and no more, and falls seconds behind the online traffic
    /// (docs/benchmarks.md); a negative value lets it keep up. Needs root or CAP_SYS_NICE for a negative value.
    /// </summary>
    public int ThreadNice { get; init; }
}
