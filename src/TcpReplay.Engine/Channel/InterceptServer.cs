using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// The intercept's side of the channel: accepts copier links, learns routes from their CLIENT_ADD records and sends
/// each captured target response to the copier link that announced its session. Wire-compatible with C tcpcopy 1.x
/// (docs/protocol.md).
/// </summary>
/// <remarks>
/// Threads: one accept thread, one timer thread (combined-frame flush every <see cref="InterceptServerOptions.FlushInterval"/>,
/// expiry of parked records), and a receive and a send thread per copier link. <see cref="Route"/> runs on the caller's
/// (capture) thread, allocates nothing and never waits on the network.
/// </remarks>
public sealed class InterceptServer : IDisposable
{
    private static readonly TimeSpan DisposeBudget = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan IdleTick = TimeSpan.FromMilliseconds(50);
    private const long ExpiryCheckMs = 50;

    private readonly InterceptServerOptions _options;
    private readonly bool _withPayload;
    private readonly int _recordSize;
    private readonly int _extensionLimit;
    private readonly long _parkTimeMs;
    private readonly CancellationTokenSource _stop = new();

    // Guarded by _routeLock: routes and parked records, so that a record parked just before its ADD is never missed
    // and parked records go out before anything routed after the ADD.
    private readonly object _routeLock = new();
    private readonly ResponseRouteTable<CopierLink> _routes;
    private readonly ParkingLot _parking;
    private readonly byte[] _parkedRecord;

    private readonly object _connectionsLock = new();
    private CopierLink[] _connections = [];
    private int _nextConnectionId;

    private Socket? _listener;
    private Thread? _acceptThread;
    private Thread? _timerThread;
    private IPEndPoint _localEndPoint;
    private int _started;
    private int _disposed;

    private long _routed;
    private long _unrouted;
    private long _parked;
    private long _parkedDelivered;
    private long _parkedExpired;
    private long _parkedEvicted;
    private long _dropped;
    private long _invalidPackets;
    private long _clientRecords;
    private long _deleteRecords;
    private long _unknownRecords;
    private long _protocolErrors;
    private long _versionMismatches;
    private long _accepted;
    private long _payloadLinks;
    private long _payloadDeclined;

    /// <summary>Creates a server; nothing is bound before <see cref="Start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InterceptServer(InterceptServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _withPayload = options.WithPayload;
        _recordSize = options.RoutedRecordSize;
        _extensionLimit = options.ExtensionPayloadLimit;
        _parkTimeMs = (long)options.ParkTime.TotalMilliseconds;
        _routes = new ResponseRouteTable<CopierLink>(options.MaxRoutes);
        _parking = new ParkingLot(_recordSize, options.MaxParked);
        _parkedRecord = new byte[_recordSize];
        _localEndPoint = options.Listen;
    }

    /// <summary>The bound endpoint (with the real port when <see cref="InterceptServerOptions.Listen"/> asked for port 0) once started.</summary>
    public IPEndPoint LocalEndPoint => _localEndPoint;

    /// <summary>Copier links connected now.</summary>
    public int Copiers => Volatile.Read(ref _connections).Length;

    /// <summary>Copier links accepted since start.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Response records queued to a copier link (parked ones included once delivered).</summary>
    public long Routed => Interlocked.Read(ref _routed);

    /// <summary>Responses dropped because no copier announced their session and they were neither SYN nor RST.</summary>
    public long Unrouted => Interlocked.Read(ref _unrouted);

    /// <summary>Unrouted SYN/RST records parked to wait for their CLIENT_ADD (cumulative).</summary>
    public long Parked => Interlocked.Read(ref _parked);

    /// <summary>Records parked right now.</summary>
    public int ParkedNow
    {
        get
        {
            lock (_routeLock)
            {
                return _parking.Count;
            }
        }
    }

    /// <summary>Parked records delivered after a late CLIENT_ADD.</summary>
    public long ParkedDelivered => Interlocked.Read(ref _parkedDelivered);

    /// <summary>Parked records dropped because <see cref="InterceptServerOptions.ParkTime"/> passed.</summary>
    public long ParkedExpired => Interlocked.Read(ref _parkedExpired);

    /// <summary>Parked records dropped to make room because <see cref="InterceptServerOptions.MaxParked"/> was reached.</summary>
    public long ParkedEvicted => Interlocked.Read(ref _parkedEvicted);

    /// <summary>Records dropped because a copier link's send buffer was full (a slow copier).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Packets given to <see cref="Route"/> that were not well-formed IPv4/TCP.</summary>
    public long InvalidPackets => Interlocked.Read(ref _invalidPackets);

    /// <summary>Copier records received after the hellos (ADD, DEL and unknown types).</summary>
    public long ClientRecords => Interlocked.Read(ref _clientRecords);

    /// <summary>CLIENT_DEL records received; ignored as C intercept does.</summary>
    public long DeleteRecords => Interlocked.Read(ref _deleteRecords);

    /// <summary>Records of an unknown type received; ignored as C intercept does.</summary>
    public long UnknownRecords => Interlocked.Read(ref _unknownRecords);

    /// <summary>Links closed because the first record was not a hello.</summary>
    public long ProtocolErrors => Interlocked.Read(ref _protocolErrors);

    /// <summary>Hellos announcing a version other than <see cref="ChannelProtocol.InternalVersion"/>; accepted with this count, as C only warns.</summary>
    public long VersionMismatches => Interlocked.Read(ref _versionMismatches);

    /// <summary>Copier links granted response payload bytes (<see cref="ResponsePayloadExtension"/>) since start.</summary>
    public long PayloadLinks => Interlocked.Read(ref _payloadLinks);

    /// <summary>Copier requests for response payload declined (<see cref="InterceptServerOptions.ResponsePayloadLimit"/> is 0).</summary>
    public long PayloadDeclined => Interlocked.Read(ref _payloadDeclined);

    /// <summary>Routes remembered now.</summary>
    public int Routes
    {
        get
        {
            lock (_routeLock)
            {
                return _routes.Count;
            }
        }
    }

    /// <summary>Binds, listens and starts accepting copiers.</summary>
    /// <exception cref="SocketException">The address cannot be bound (for example the port is taken); the message names the endpoint.</exception>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            ChannelThrowHelper.ThrowAlreadyStarted(nameof(InterceptServer));
        }

        var listener = new Socket(_options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_options.Listen);
            listener.Listen(64);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new SocketException(
                (int)ex.SocketErrorCode,
                $"Cannot listen for copiers on {_options.Listen}: {ex.SocketErrorCode} ({ex.Message}). " +
                (ex.SocketErrorCode == SocketError.AddressAlreadyInUse
                    ? "Another intercept (or another program) already uses this port; stop it or choose another port."
                    : "Check that the address belongs to this host."));
        }

        _listener = listener;
        _localEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptThread = new Thread(RunAccept) { IsBackground = true, Name = $"TcpReplay intercept accept {_localEndPoint}" };
        _timerThread = new Thread(RunTimer) { IsBackground = true, Name = "TcpReplay intercept flush" };
        _acceptThread.Start();
        _timerThread.Start();
    }

    /// <summary>
    /// Sends every copier link's partly filled frame now (combined framing): called on the capture thread once the
    /// packets of one capture wake-up have been routed, so an answer waits for no flush timer.
    /// </summary>
    public void FlushAll()
    {
        if (!_options.Combined)
        {
            return;
        }

        foreach (var connection in Volatile.Read(ref _connections))
        {
            connection.FlushPending();
        }
    }

    /// <summary>
    /// Sends one captured target → fake-client packet to the copier that announced its session: key (destination
    /// address, destination port, source address, source port) = (client, target) of the last CLIENT_ADD. An unrouted
    /// SYN or RST is parked until its ADD arrives or <see cref="InterceptServerOptions.ParkTime"/> passes; anything
    /// else unrouted is counted and dropped (tc_router.c <c>router_update</c>). Called by the capture thread; never blocks on the network.
    /// </summary>
    /// <param name="ipPacket">The packet from its IPv4 header on; only read during the call.</param>
    /// <param name="captureTimestampNanoseconds">When it was captured, nanoseconds since the Unix epoch (0 unknown); passed to copiers with the payload extension.</param>
    public void Route(ReadOnlySpan<byte> ipPacket, long captureTimestampNanoseconds = 0)
    {
        Span<byte> record = stackalloc byte[_recordSize];
        var encoded = _extensionLimit > 0
            ? ResponsePayloadExtension.Encode(ipPacket, _extensionLimit, record, captureTimestampNanoseconds)
            : ResponseRecord.Encode(ipPacket, _withPayload, record);
        if (encoded == 0)
        {
            Interlocked.Increment(ref _invalidPackets);
            return;
        }

        record = record[.._recordSize];
        var ip = new Ipv4HeaderPeek(record);
        var tcp = new TcpHeaderPeek(record[ResponseRecord.TcpOffset..]);
        var key = ChannelKey.From(ip.DestinationAddress, tcp.DestinationPort, _options.IgnoreTargetAddress ? 0 : ip.SourceAddress, tcp.SourcePort);
        var nowMs = ChannelClock.NowMs;

        CopierLink? link;
        lock (_routeLock)
        {
            link = _routes.Find(key);
            if (link is null)
            {
                ParkOrDrop(key, record, nowMs);
                return;
            }
        }

        Count(link.Append(record, nowMs));
    }

    /// <summary>Closes the listener and every copier link and joins the threads; returns within 2 s.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _listener?.Dispose();
        CopierLink[] all;
        lock (_connectionsLock)
        {
            all = _connections;
        }

        foreach (var connection in all)
        {
            connection.Close("intercept server stopped");
        }

        var deadline = Environment.TickCount64 + (long)DisposeBudget.TotalMilliseconds;
        var joined = Join(_acceptThread, deadline) & Join(_timerThread, deadline);
        foreach (var connection in all)
        {
            joined &= connection.Join(deadline);
        }

        if (joined)
        {
            // Only when no thread can still be waiting on its token.
            _stop.Dispose();
        }
    }

    private static bool Join(Thread? thread, long deadlineTicks) =>
        thread is null || thread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadlineTicks - Environment.TickCount64)));

    internal bool AcceptHello(ReadOnlySpan<byte> firstEightBytes)
    {
        var clientAddress = BinaryPrimitives.ReadUInt32BigEndian(firstEightBytes);
        var clientPort = BinaryPrimitives.ReadUInt16BigEndian(firstEightBytes[4..]);
        if (clientAddress != 0 || clientPort != 0)
        {
            Interlocked.Increment(ref _protocolErrors);
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(firstEightBytes[6..]) != ChannelProtocol.InternalVersion)
        {
            Interlocked.Increment(ref _versionMismatches);
        }

        return true;
    }

    internal void OnClientRecord(in ClientRecord record, CopierLink connection)
    {
        Interlocked.Increment(ref _clientRecords);
        switch (record.Type)
        {
            case ClientRecordType.Add:
                AddRoute(record, connection);
                break;
            case ClientRecordType.Delete:
                Interlocked.Increment(ref _deleteRecords);
                break;
            case ClientRecordType.ResponsePayloadRequest when ResponsePayloadExtension.IsRequest(record, out var wanted):
                var granted = Math.Min(wanted, _extensionLimit);
                connection.SwitchToResponsePayload(granted);
                Interlocked.Increment(ref granted > 0 ? ref _payloadLinks : ref _payloadDeclined);
                break;
            default:
                Interlocked.Increment(ref _unknownRecords);
                break;
        }
    }

    internal void OnConnectionClosed(CopierLink connection)
    {
        lock (_connectionsLock)
        {
            var index = Array.IndexOf(_connections, connection);
            if (index < 0)
            {
                return;
            }

            var next = new CopierLink[_connections.Length - 1];
            Array.Copy(_connections, 0, next, 0, index);
            Array.Copy(_connections, index + 1, next, index, next.Length - index);
            Volatile.Write(ref _connections, next);
        }
    }

    private void AddRoute(in ClientRecord record, CopierLink connection)
    {
        var key = ChannelKey.From(
            record.ClientAddress,
            record.ClientPort,
            _options.IgnoreTargetAddress ? 0 : record.TargetAddress,
            record.TargetPort);
        var nowMs = ChannelClock.NowMs;
        lock (_routeLock)
        {
            _routes.Set(key, connection);

            // Inside the route lock, so the capture thread cannot route a later response of this session first.
            while (_parking.TryTake(key, _parkedRecord))
            {
                if (Count(connection.Append(_parkedRecord, nowMs)) == AppendResult.Queued)
                {
                    Interlocked.Increment(ref _parkedDelivered);
                }
            }
        }
    }

    private AppendResult Count(AppendResult result)
    {
        switch (result)
        {
            case AppendResult.Queued:
                Interlocked.Increment(ref _routed);
                break;
            case AppendResult.Dropped:
                Interlocked.Increment(ref _dropped);
                break;
            default:
                // The link closed between the route lookup and the append.
                Interlocked.Increment(ref _unrouted);
                break;
        }

        return result;
    }

    private void ParkOrDrop(ChannelKey key, ReadOnlySpan<byte> record, long nowMs)
    {
        var flags = new TcpHeaderPeek(record[ResponseRecord.TcpOffset..]).Flags;
        if ((flags & (TcpFlags.Syn | TcpFlags.Rst)) != 0 &&
            _parking.Park(key, record, nowMs + _parkTimeMs, out var evicted))
        {
            Interlocked.Increment(ref _parked);
            if (evicted)
            {
                Interlocked.Increment(ref _parkedEvicted);
            }

            return;
        }

        Interlocked.Increment(ref _unrouted);
    }

    private void RunAccept()
    {
        var listener = _listener!;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = listener.AcceptAsync(token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset before it was accepted (ECONNABORTED) must not stop the server.
                if (token.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            socket.NoDelay = true;
            CopierLink connection;
            lock (_connectionsLock)
            {
                if (token.IsCancellationRequested)
                {
                    socket.Dispose();
                    return;
                }

                connection = new CopierLink(this, socket, _options, ++_nextConnectionId);
                var next = new CopierLink[_connections.Length + 1];
                _connections.CopyTo(next, 0);
                next[^1] = connection;
                Volatile.Write(ref _connections, next);
            }

            Interlocked.Increment(ref _accepted);
            connection.Start();
        }
    }

    private void RunTimer()
    {
        var token = _stop.Token;
        var interval = _options.Combined ? _options.FlushInterval : IdleTick;
        var nextExpiryMs = 0L;
        while (!token.WaitHandle.WaitOne(Volatile.Read(ref _connections).Length > 0 ? interval : IdleTick))
        {
            var nowMs = ChannelClock.NowMs;
            if (_options.Combined)
            {
                foreach (var connection in Volatile.Read(ref _connections))
                {
                    connection.FlushIfDue(nowMs);
                }
            }

            if (nowMs < nextExpiryMs)
            {
                continue;
            }

            // Parking deadlines are seconds long; checking them on every 2 ms tick would only contend with Route.
            nextExpiryMs = nowMs + ExpiryCheckMs;
            lock (_routeLock)
            {
                var expired = _parking.Expire(nowMs);
                if (expired > 0)
                {
                    Interlocked.Add(ref _parkedExpired, expired);
                }
            }
        }
    }
}
