using System.Net;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Live;

/// <summary>Everything a live copy on the online host needs: the copy itself, the capture, the sending, the intercepts.</summary>
public sealed class LiveCopyOptions
{
    public required CopyEngineOptions Copy { get; init; }

    /// <summary>The intercepts (assistants) to connect to; at least one.</summary>
    public required IReadOnlyList<IPEndPoint> InterceptServers { get; init; }

    public CaptureMode CaptureMode { get; init; } = CaptureMode.Auto;

    /// <summary>Interface for datalink capture and pcap sending; "any" captures on all.</summary>
    public string Interface { get; init; } = "any";

    public SendMode SendMode { get; init; } = SendMode.RawSocket;

    /// <summary>
    /// The client capture's kernel buffer: libpcap's ring (mapped into the copier, so it counts in its memory) or the
    /// raw socket's receive buffer. It holds the backlog while the engine is behind (tcpcopy -B). Null: a
    /// <see cref="DefaultRingBytes"/> ring, as tcpcopy's, and a 64 MiB receive buffer, which costs only what it holds.
    /// </summary>
    public int? CaptureBufferBytes { get; init; }

    /// <summary>
    /// libpcap's ring when <see cref="CaptureBufferBytes"/> is not given: tcpcopy's default, and under the wrk load of
    /// docs/benchmarks.md (27,000 requests/s on 2 cores) it held the engine's backlog with no capture gap.
    /// </summary>
    public const int DefaultRingBytes = 16 * 1024 * 1024;

    public InterceptClientOptions Channel { get; init; } = new();

    /// <summary>
    /// Also capture the online server's answers (the other direction, with libpcap) and compare them with the target's:
    /// response times, sizes and, with <see cref="InterceptClientOptions.ResponsePayloadBytes"/>, HTTP status codes.
    /// </summary>
    public bool CompareResponses { get; init; }
}
