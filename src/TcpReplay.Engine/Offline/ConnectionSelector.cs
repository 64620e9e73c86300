using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Offline;

/// <summary>What an offline replay does with one record of a capture.</summary>
internal enum RecordVerdict : byte
{
    /// <summary>Not an IPv4 TCP packet toward a transfer's server port (server packets, other traffic).</summary>
    NotClient,

    /// <summary>A client packet of a connection the filters left out, or a bare ACK/FIN/RST of a connection never started.</summary>
    Skipped,

    /// <summary>A client packet to replay.</summary>
    Replay,
}

/// <summary>
/// Decides which client packets of a capture an offline replay plays: packets toward a transfer's server port, of
/// connections whose first client packet passes the time window and the BPF filter. A connection is one client
/// address and port toward one server port; a SYN with a new initial sequence number starts a new connection.
/// </summary>
/// <remarks>
/// The time window's offsets are taken from the first client packet the selector sees (the start of the replay's
/// timeline). Allocates per connection, not per packet. One instance per pass over the files.
/// </remarks>
internal sealed class ConnectionSelector
{
    private readonly IReadOnlyList<Transfer> _transfers;
    private readonly BpfFilter? _filter;
    private readonly CaptureTimeBound? _from;
    private readonly CaptureTimeBound? _to;
    private readonly Dictionary<ulong, ReplayFlow> _flows = [];
    private bool _haveStart;
    private long _fromNanoseconds = long.MinValue;
    private long _toNanoseconds = long.MaxValue;

    public ConnectionSelector(IReadOnlyList<Transfer> transfers, BpfFilter? filter, CaptureTimeBound? from, CaptureTimeBound? to)
    {
        _transfers = transfers;
        _filter = filter;
        _from = from;
        _to = to;
    }

    /// <summary>Connections selected so far.</summary>
    public int SelectedConnections { get; private set; }

    /// <summary>Connections left out by the filters so far.</summary>
    public int SkippedConnections { get; private set; }

    /// <summary>Capture time of the first client packet seen (the timeline's start); 0 before.</summary>
    public long TimelineStart { get; private set; }

    /// <summary>Classifies one record; for <see cref="RecordVerdict.Replay"/> the connection's state is returned too.</summary>
    public RecordVerdict Classify(LinkType linkType, Span<byte> frame, int originalLength, long timestamp, out ReplayFlow? flow)
    {
        flow = null;
        if (TcpPacket.TryParse(linkType, frame, out var packet) != PacketParseStatus.Ok || packet.IpVersion != 4)
        {
            return RecordVerdict.NotClient;
        }

        var tcp = packet.Tcp;
        if (!IsTransferPort(packet.Ipv4.DestinationAddress, tcp.DestinationPort))
        {
            return RecordVerdict.NotClient;
        }

        if (!_haveStart)
        {
            _haveStart = true;
            TimelineStart = timestamp;
            _fromNanoseconds = _from?.Resolve(timestamp) ?? long.MinValue;
            _toNanoseconds = _to?.Resolve(timestamp) ?? long.MaxValue;
        }

        var key = ReplayConnection.ClientKey(packet.Ipv4.SourceAddress, tcp.SourcePort, tcp.DestinationPort);
        var flags = tcp.Flags;
        var bareSyn = ReplayConnection.IsBareSyn(flags);
        if (_flows.TryGetValue(key, out flow) && !(bareSyn && flow.HasIsn && flow.Isn != tcp.SequenceNumber))
        {
            return flow.Selected ? RecordVerdict.Replay : RecordVerdict.Skipped;
        }

        if (!bareSyn && packet.PayloadLength == 0)
        {
            // The copy engine opens a connection only on a SYN or on data; a lone ACK, FIN or RST starts nothing.
            flow = null;
            return RecordVerdict.Skipped;
        }

        flow = new ReplayFlow
        {
            HasIsn = bareSyn,
            Isn = tcp.SequenceNumber,
            FirstTimestamp = timestamp,
            Selected = timestamp >= _fromNanoseconds && timestamp < _toNanoseconds
                && (_filter is null || _filter.Matches(linkType, frame, originalLength)),
        };
        _flows[key] = flow;
        if (flow.Selected)
        {
            SelectedConnections++;
            return RecordVerdict.Replay;
        }

        SkippedConnections++;
        return RecordVerdict.Skipped;
    }

    private bool IsTransferPort(uint destination, ushort port)
    {
        for (var i = 0; i < _transfers.Count; i++)
        {
            if (_transfers[i].Matches(destination, port))
            {
                return true;
            }
        }

        return false;
    }
}
