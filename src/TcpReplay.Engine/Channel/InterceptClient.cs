using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// The copier's side of the channel: keeps <see cref="InterceptClientOptions.LinksPerServer"/> TCP links to every
/// intercept, announces sessions with CLIENT_ADD records and hands the response records it receives to an
/// <see cref="IResponseSink"/>. Wire-compatible with C intercept 1.x (docs/protocol.md).
/// </summary>
/// <remarks>
/// Unlike tcpcopy, which exits when every link is lost unless <c>-L</c> is given (tc_message_module.c), links here
/// reconnect forever with exponential backoff, and every live client is announced again on a new connection, so an
/// intercept restart costs only the responses sent while it was down. Each link runs two dedicated threads
/// (receive, send); <see cref="AddClient"/> only queues bytes and never blocks on the network.
/// </remarks>
public sealed class InterceptClient : IDisposable
{
    private static readonly TimeSpan DisposeBudget = TimeSpan.FromSeconds(1.5);

    private readonly IResponseSink _sink;
    private readonly IResponsePayloadSink? _payloadSink;
    private int _payloadGranted = -1;
    private readonly InterceptClientLink[][] _links;
    private readonly int[] _nextLink;
    private readonly object _clientsLock = new();
    private readonly Dictionary<ChannelKey, ClientRecord> _liveClients = new();
    private readonly CancellationTokenSource _stop = new();
    private int _started;
    private int _disposed;
    private InterceptLinkPoller? _poller;
    private long _reconnects;
    private long _recordsReceived;
    private long _protocolErrors;
    private long _invalidRecords;
    private long _sinkErrors;
    private Exception? _lastSinkException;

    /// <summary>Creates a client; nothing connects before <see cref="Start"/>.</summary>
    /// <param name="servers">Intercept endpoints (IPv4). The index of each is the interceptIndex given to the sink.</param>
    /// <param name="options">Settings; read once here.</param>
    /// <param name="sink">Receives records and link state changes on the link threads.</param>
    /// <exception cref="ArgumentException">No server, or a server that is not IPv4.</exception>
    public InterceptClient(IReadOnlyList<IPEndPoint> servers, InterceptClientOptions options, IResponseSink sink)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        options.Validate();
        if (servers.Count == 0)
        {
            throw new ArgumentException("At least one intercept endpoint is needed.", nameof(servers));
        }

        _sink = sink;
        _payloadSink = sink as IResponsePayloadSink;
        _links = new InterceptClientLink[servers.Count][];
        _nextLink = new int[servers.Count];
        for (var s = 0; s < servers.Count; s++)
        {
            var server = servers[s] ?? throw new ArgumentException("A server endpoint is null.", nameof(servers));
            if (server.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"Intercept {server} is not IPv4: the channel of intercept 1.x is IPv4 only.", nameof(servers));
            }

            _links[s] = new InterceptClientLink[options.LinksPerServer];
            for (var l = 0; l < options.LinksPerServer; l++)
            {
                _links[s][l] = new InterceptClientLink(this, server, s, l, options, _stop.Token);
            }
        }
    }

    /// <summary>True while at least one link is connected.</summary>
    public bool IsConnected
    {
        get
        {
            foreach (var server in _links)
            {
                foreach (var link in server)
                {
                    if (link.IsConnected)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>A snapshot of every link, server by server.</summary>
    public IReadOnlyList<InterceptLinkStatus> Links
    {
        get
        {
            var list = new List<InterceptLinkStatus>();
            foreach (var server in _links)
            {
                foreach (var link in server)
                {
                    list.Add(link.Status);
                }
            }

            return list;
        }
    }

    /// <summary>Connections made after a failed attempt or a lost connection, all links together.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>
    /// Response payload bytes the last intercept link granted (<see cref="InterceptClientOptions.ResponsePayloadBytes"/>):
    /// -1 before any answer (or when not asked; a C intercept never answers), 0 when declined.
    /// </summary>
    public int ResponsePayloadGranted => Volatile.Read(ref _payloadGranted);

    /// <summary>Valid response records handed to the sink.</summary>
    public long RecordsReceived => Interlocked.Read(ref _recordsReceived);

    /// <summary>Framing errors (a combined count above the maximum); each one dropped its link.</summary>
    public long ProtocolErrors => Interlocked.Read(ref _protocolErrors);

    /// <summary>Records that were not a well-formed IPv4/TCP header; skipped, the link kept.</summary>
    public long InvalidRecords => Interlocked.Read(ref _invalidRecords);

    /// <summary>Exceptions thrown by the sink; each was caught so the link survives. See <see cref="LastSinkException"/>.</summary>
    public long SinkErrors => Interlocked.Read(ref _sinkErrors);

    /// <summary>The last exception a sink call threw, or null.</summary>
    public Exception? LastSinkException => Volatile.Read(ref _lastSinkException);

    /// <summary>Number of clients currently announced (added and not removed).</summary>
    public int LiveClients
    {
        get
        {
            lock (_clientsLock)
            {
                return _liveClients.Count;
            }
        }
    }

    /// <summary>
    /// Has another thread read the links (the copy engine's, which polls them between its events) instead of a receive
    /// thread per link; the links' threads still connect and reconnect them. Called before <see cref="Start"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    internal IPolledInput ReceiveOnPollingThread()
    {
        if (Volatile.Read(ref _started) != 0)
        {
            throw new InvalidOperationException("The links are read by their own threads once the client has started.");
        }

        return _poller ??= new InterceptLinkPoller([.. AllLinks]);
    }

    /// <summary>The thread that reads the links when it is not their own (<see cref="ReceiveOnPollingThread"/>); null otherwise.</summary>
    internal InterceptLinkPoller? Poller => _poller;

    /// <summary>Starts every link in the background and returns at once.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            ChannelThrowHelper.ThrowAlreadyStarted(nameof(InterceptClient));
        }

        foreach (var server in _links)
        {
            foreach (var link in server)
            {
                link.Start();
            }
        }
    }

    /// <summary>
    /// Announces a session before its first SYN (tc_session.c <c>send_router_info</c>): one CLIENT_ADD to every
    /// connected intercept, on the next of its connected links in turn. The client is remembered and announced again
    /// on every new connection until <see cref="RemoveClient"/>. Never blocks.
    /// </summary>
    /// <param name="clientAddress">Fake client IPv4 address, host-order number (198.19.0.1 = 0xC6130001).</param>
    /// <param name="clientPort">Client port.</param>
    /// <param name="targetAddress">Target IPv4 address, host-order number.</param>
    /// <param name="targetPort">Target port.</param>
    public void AddClient(uint clientAddress, ushort clientPort, uint targetAddress, ushort targetPort)
    {
        var record = new ClientRecord(clientAddress, clientPort, ClientRecordType.Add, targetAddress, targetPort);
        // Added and queued in one step under the lock a link's full resend copies the live set under
        // (CopyLiveClientsForResend): the intercept gets each ADD once, from the resend or from the queue.
        lock (_clientsLock)
        {
            _liveClients[ChannelKey.From(clientAddress, clientPort, targetAddress, targetPort)] = record;
            for (var s = 0; s < _links.Length; s++)
            {
                var links = _links[s];
                var start = (int)((uint)Interlocked.Increment(ref _nextLink[s]) % (uint)links.Length);
                for (var i = 0; i < links.Length; i++)
                {
                    if (links[(start + i) % links.Length].TryEnqueue(record))
                    {
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Forgets a session so that it is not announced again after a reconnect. No CLIENT_DEL is sent: C intercept
    /// only logs it (tc_interception.c), and tcpcopy never sends it.
    /// </summary>
    public void RemoveClient(uint clientAddress, ushort clientPort, uint targetAddress, ushort targetPort)
    {
        lock (_clientsLock)
        {
            _liveClients.Remove(ChannelKey.From(clientAddress, clientPort, targetAddress, targetPort));
        }
    }

    /// <summary>Stops every link, closes the sockets and joins the threads; returns within 2 s whatever the state.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        foreach (var server in _links)
        {
            foreach (var link in server)
            {
                link.Stop();
            }
        }

        var deadline = Environment.TickCount64 + (long)DisposeBudget.TotalMilliseconds;
        var joined = true;
        foreach (var server in _links)
        {
            foreach (var link in server)
            {
                joined &= link.Join(deadline);
            }
        }

        if (joined)
        {
            // Only when no link thread can still be waiting on the token.
            _stop.Dispose();
        }
    }

    /// <summary>Every link of every server, for tests.</summary>
    internal IEnumerable<InterceptClientLink> AllLinks => _links.SelectMany(links => links);

    internal void CountReconnect() => Interlocked.Increment(ref _reconnects);

    internal void CountProtocolError() => Interlocked.Increment(ref _protocolErrors);

    internal void CountInvalidRecord() => Interlocked.Increment(ref _invalidRecords);

    internal void ReportPayloadGranted(int grantedBytes) => Volatile.Write(ref _payloadGranted, grantedBytes);

    internal void DeliverResponse(ReadOnlySpan<byte> record, ReadOnlySpan<byte> payloadPrefix, long captureTimestampNanoseconds, int serverIndex)
    {
        Interlocked.Increment(ref _recordsReceived);
        try
        {
            if (_payloadSink is not null)
            {
                _payloadSink.OnResponse(record, payloadPrefix, captureTimestampNanoseconds, serverIndex);
            }
            else
            {
                _sink.OnResponse(record, serverIndex);
            }
        }
        catch (Exception ex)
        {
            // The sink is the copier's code; a bug there must not take the channel down with it.
            RecordSinkError(ex);
        }
    }

    internal void ReportLinkState(InterceptLinkStatus status)
    {
        try
        {
            _sink.OnLinkStateChanged(status);
        }
        catch (Exception ex)
        {
            RecordSinkError(ex);
        }
    }

    /// <summary>
    /// Copies the live clients into <paramref name="buffer"/> (grown when needed) for <paramref name="link"/>'s full
    /// resend, and empties that link's queue in the same step: every ADD queued so far is in the copy, and every later
    /// one is queued after it, so none goes twice. (Twice was harmless for routing, but a session announced by two
    /// copiers could then go back to the first.)
    /// </summary>
    /// <returns>How many were copied.</returns>
    internal int CopyLiveClientsForResend(InterceptClientLink link, ref ClientRecord[] buffer)
    {
        lock (_clientsLock)
        {
            link.ClearQueue();
            if (buffer.Length < _liveClients.Count)
            {
                buffer = new ClientRecord[Math.Max(_liveClients.Count, buffer.Length * 2)];
            }

            _liveClients.Values.CopyTo(buffer, 0);
            return _liveClients.Count;
        }
    }

    private void RecordSinkError(Exception ex)
    {
        Interlocked.Increment(ref _sinkErrors);
        Volatile.Write(ref _lastSinkException, ex);
    }
}
