using System.Net;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Live;

namespace TcpReplay.Engine.Offline;

/// <summary>Everything an offline replay needs: the files, which connections, the pace, the copy, the sending, the intercepts.</summary>
public sealed class OfflineReplayOptions
{
    /// <summary>pcap or pcapng files, played one after the other on one timeline (each file's first client packet follows the previous file's last).</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>
    /// The copy: transfers name which server port of the capture goes to which target; pacing, drain and limits as in
    /// live copy. The transfers' online port is the server port in the capture.
    /// </summary>
    public required CopyEngineOptions Copy { get; init; }

    /// <summary>The intercepts (assistants) to connect to; at least one.</summary>
    public required IReadOnlyList<IPEndPoint> InterceptServers { get; init; }

    /// <summary>Timeline speed factor, or Max.</summary>
    public ReplaySpeed Speed { get; init; } = ReplaySpeed.Normal;

    /// <summary>How many times the capture is played; each play after the first uses fresh client ports.</summary>
    public int Loop { get; init; } = 1;

    /// <summary>A pcap-filter(7) expression; a connection is replayed when it matches the connection's first client packet.</summary>
    public string? Filter { get; init; }

    /// <summary>Connections whose first client packet is earlier than this are skipped.</summary>
    public CaptureTimeBound? From { get; init; }

    /// <summary>Connections whose first client packet is at or after this are skipped.</summary>
    public CaptureTimeBound? To { get; init; }

    /// <summary>Interface for pcap sending.</summary>
    public string Interface { get; init; } = "any";

    public SendMode SendMode { get; init; } = SendMode.RawSocket;

    public InterceptClientOptions Channel { get; init; } = new();

    /// <summary>How long the intercept may take to connect before the timeline starts (connections need it for the target's answers).</summary>
    public TimeSpan InterceptWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most client packets handed to the engine and not yet done with (sent and acknowledged, or dropped); at Max
    /// speed the reader waits beyond it, so a slow target bounds memory instead of a queue growing without end.
    /// </summary>
    public int MaxPacketsInFlight { get; init; } = 32_768;

    /// <summary>
    /// Runs the replay and copy engine threads at nice -10 when permitted (root or CAP_SYS_NICE), so a busy host
    /// delays their deadlines less; without the permission they keep their priority.
    /// </summary>
    public bool RaisePriority { get; init; } = true;
}
