using System.Net;

namespace TcpReplay.Engine.Analysis;

/// <summary>
/// One TCP connection found in a capture file, with per-direction counts.
/// </summary>
/// <remarks>
/// The client is the side that sent the SYN; without a SYN in the capture, the side that received the SYN-ACK;
/// without either, the side with the higher port (ephemeral ports are above service ports), and on equal ports
/// the sender of the first packet seen. Byte counts come in two kinds: <c>*Bytes</c> counts TCP payload bytes
/// as declared by the IP lengths, <c>*FrameBytes</c> counts whole frames on the wire, as tshark's conversation
/// table does.
/// </remarks>
public sealed class PcapConnection
{
    public string? Path { get; init; }

    /// <summary>Order of the connection's first packet in its file, from 1.</summary>
    public int Index { get; init; }

    public required IPAddress ClientAddress { get; init; }

    public required int ClientPort { get; init; }

    public required IPAddress ServerAddress { get; init; }

    public required int ServerPort { get; init; }

    /// <summary>Client endpoint as text, <c>address:port</c> (IPv6 in brackets).</summary>
    public string Client => FormatEndpoint(ClientAddress, ClientPort);

    /// <summary>Server endpoint as text, <c>address:port</c> (IPv6 in brackets).</summary>
    public string Server => FormatEndpoint(ServerAddress, ServerPort);

    /// <summary>Timestamp of the first packet, UTC.</summary>
    public DateTime FirstTimestamp { get; init; }

    /// <summary>Timestamp of the last packet, UTC.</summary>
    public DateTime LastTimestamp { get; init; }

    public TimeSpan Duration => LastTimestamp - FirstTimestamp;

    public long ClientPackets { get; init; }

    public long ServerPackets { get; init; }

    /// <summary>TCP payload bytes sent by the client.</summary>
    public long ClientBytes { get; init; }

    /// <summary>TCP payload bytes sent by the server.</summary>
    public long ServerBytes { get; init; }

    /// <summary>Frame bytes on the wire sent by the client (original length of each record).</summary>
    public long ClientFrameBytes { get; init; }

    /// <summary>Frame bytes on the wire sent by the server (original length of each record).</summary>
    public long ServerFrameBytes { get; init; }

    public bool SynSeen { get; init; }

    public bool SynAckSeen { get; init; }

    /// <summary>Both the client's SYN and the server's SYN-ACK were captured.</summary>
    public bool HandshakeSeen => SynSeen && SynAckSeen;

    public ConnectionClose Close { get; init; }

    /// <summary>The side that sent the RST, or the first FIN; <see cref="ConnectionSide.None"/> when open.</summary>
    public ConnectionSide ClosedBy { get; init; }

    public override string ToString() => $"{Client} -> {Server}";

    internal static string FormatEndpoint(IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}
