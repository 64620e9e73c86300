using System.Net;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>The set-up to check: the same facts Start-TcpCopy, Start-Intercept and Set-TargetRoute take.</summary>
/// <remarks>Addresses are host-order numbers (198.18.0.40 is 0xC6120028). Checks run in the caller's network namespace.</remarks>
public sealed class HealthCheckOptions
{
    /// <summary>What is copied where; the online checks look at the online ports, the target checks at the target addresses.</summary>
    public IReadOnlyList<Transfer> Transfers { get; init; } = [];

    /// <summary>The intercepts the copier connects to (port 36524 unless given).</summary>
    public IReadOnlyList<IPEndPoint> InterceptServers { get; init; } = [];

    /// <summary>The fake client networks the copier uses as source addresses.</summary>
    public IReadOnlyList<IPv4Network> FakeClientNetworks { get; init; } = [];

    /// <summary>The interface captured on (online, assistant) or receiving the copies (target); null or "any" for none in particular.</summary>
    public string? Interface { get; init; }

    /// <summary>The assistant's address, host order: the gateway the target must route the fake network through.</summary>
    public uint? Assistant { get; init; }

    /// <summary>The capture mode the copier will use; RawSocket cannot see DNATed traffic.</summary>
    public CaptureMode CaptureMode { get; init; } = CaptureMode.Auto;

    /// <summary>The intercept's own listening port, checked on the assistant.</summary>
    public int InterceptPort { get; init; } = Channel.ChannelProtocol.DefaultPort;

    /// <summary>How many addresses of each fake network are asked about with ARP (the first ones, where copies start).</summary>
    public int ArpProbeCount { get; init; } = 16;

    /// <summary>How long ARP replies are awaited in all.</summary>
    public TimeSpan ArpTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The limit for each TCP connect (intercept, target port).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an intercept link must stay up after the hello to count as accepted.</summary>
    public TimeSpan HelloGrace { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The interface name when one was given, null for none or "any".</summary>
    internal string? SpecificInterface => Interface is null or "any" ? null : Interface;
}
