using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Analysis;

/// <summary>
/// Groups the TCP packets of a capture into connections and counts them per direction.
/// </summary>
/// <remarks>
/// Feed every record with <see cref="Add"/>, in file order, then call <see cref="GetConnections"/>. Packets that
/// are not TCP are counted in <see cref="IgnoredPackets"/>; damaged ones in <see cref="MalformedPackets"/> and
/// skipped, so one bad record never hides the rest of a file. Not thread-safe.
/// </remarks>
public sealed class CaptureConnectionAnalyzer
{
    private readonly Dictionary<FlowKey, FlowState> _current = [];
    private readonly List<FlowState> _flows = [];

    /// <summary>TCP packets that were counted in a connection.</summary>
    public long TcpPackets { get; private set; }

    /// <summary>Packets that are not TCP over IP (ARP, UDP, ...), and IP fragments after the first.</summary>
    public long IgnoredPackets { get; private set; }

    /// <summary>Packets whose headers are damaged (wrong lengths, truncated headers, bad options).</summary>
    public long MalformedPackets { get; private set; }

    /// <summary>The parse status of the first malformed packet, for an explanation; <see cref="PacketParseStatus.Ok"/> if none.</summary>
    public PacketParseStatus FirstMalformedStatus { get; private set; }

    /// <summary>Counts one captured frame.</summary>
    /// <param name="linkType">The link type of the record's interface.</param>
    /// <param name="frame">The captured bytes; not modified and not kept.</param>
    /// <param name="originalLength">The frame's length on the wire.</param>
    /// <param name="timestampNanoseconds">Capture time since the Unix epoch.</param>
    public void Add(LinkType linkType, Span<byte> frame, int originalLength, long timestampNanoseconds)
    {
        var status = TcpPacket.TryParse(linkType, frame, out var packet);
        if (status != PacketParseStatus.Ok)
        {
            CountUnusable(status);
            return;
        }

        TcpPackets++;
        var tcp = packet.Tcp;
        var source = packet.SourceAddress128;
        var destination = packet.DestinationAddress128;
        var key = FlowKey.From(source, tcp.SourcePort, destination, tcp.DestinationPort);
        var isNewSyn = (tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;
        if (!_current.TryGetValue(key, out var flow) || (isNewSyn && flow.IsClosed))
        {
            flow = new FlowState(_flows.Count + 1, source, tcp.SourcePort, destination, tcp.DestinationPort, timestampNanoseconds);
            _current[key] = flow;
            _flows.Add(flow);
        }

        var fromA = flow.AddressA == source && flow.PortA == tcp.SourcePort;
        flow.Add(fromA, tcp.Flags, packet.PayloadLength, originalLength, timestampNanoseconds);
    }

    /// <summary>The connections found so far, in the order of their first packet in the file.</summary>
    /// <param name="path">File name to put on each record, or null.</param>
    public IReadOnlyList<PcapConnection> GetConnections(string? path = null)
    {
        var result = new List<PcapConnection>(_flows.Count);
        foreach (var flow in _flows)
        {
            result.Add(ToConnection(flow, path));
        }

        return result;
    }

    private void CountUnusable(PacketParseStatus status)
    {
        if (status is PacketParseStatus.NotIp or PacketParseStatus.NotTcp or PacketParseStatus.Fragment)
        {
            IgnoredPackets++;
            return;
        }

        if (MalformedPackets == 0)
        {
            FirstMalformedStatus = status;
        }

        MalformedPackets++;
    }

    private static PcapConnection ToConnection(FlowState flow, string? path)
    {
        var aIsClient = flow.AIsClient();
        var client = aIsClient ? flow.FromA : flow.FromB;
        var server = aIsClient ? flow.FromB : flow.FromA;
        var closedBy = flow.FirstCloser switch
        {
            'A' => aIsClient ? ConnectionSide.Client : ConnectionSide.Server,
            'B' => aIsClient ? ConnectionSide.Server : ConnectionSide.Client,
            _ => ConnectionSide.None,
        };

        return new PcapConnection
        {
            Path = path,
            Index = flow.Index,
            ClientAddress = IpAddress128.ToIPAddress(aIsClient ? flow.AddressA : flow.AddressB),
            ClientPort = aIsClient ? flow.PortA : flow.PortB,
            ServerAddress = IpAddress128.ToIPAddress(aIsClient ? flow.AddressB : flow.AddressA),
            ServerPort = aIsClient ? flow.PortB : flow.PortA,
            FirstTimestamp = UnixTime.ToDateTime(flow.FirstNanoseconds),
            LastTimestamp = UnixTime.ToDateTime(flow.LastNanoseconds),
            ClientPackets = client.Packets,
            ServerPackets = server.Packets,
            ClientBytes = client.PayloadBytes,
            ServerBytes = server.PayloadBytes,
            ClientFrameBytes = client.FrameBytes,
            ServerFrameBytes = server.FrameBytes,
            SynSeen = client.Syns > 0,
            SynAckSeen = server.SynAcks > 0,
            Close = CloseOf(client, server),
            ClosedBy = closedBy,
        };
    }

    private static ConnectionClose CloseOf(FlowState.DirectionCounts client, FlowState.DirectionCounts server)
    {
        if (client.Resets > 0 || server.Resets > 0)
        {
            return ConnectionClose.Reset;
        }

        if (client.Fins > 0 && server.Fins > 0)
        {
            return ConnectionClose.Fin;
        }

        return client.Fins > 0 || server.Fins > 0 ? ConnectionClose.HalfClosed : ConnectionClose.None;
    }
}
