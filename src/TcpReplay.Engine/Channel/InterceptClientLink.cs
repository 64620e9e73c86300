using System.Net;
using System.Net.Sockets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// One TCP link of an <see cref="InterceptClient"/> to one intercept. The receive thread owns the connection's life
/// (connect, read frames, back off, reconnect); the send thread writes the hello, the resends of live clients and the
/// queued ADD records. Both stop when the client's token is cancelled and <see cref="Stop"/> shuts the socket down.
/// </summary>
/// <remarks>
/// This file holds the link's life and the reading of response records; connecting is in
/// InterceptClientLink.Connect.cs and the send side in InterceptClientLink.Send.cs. The parts with state of their own are
/// types: <see cref="ReconnectBackoff"/>, <see cref="ClientRecordOutbox"/> and <see cref="LinkHello"/>.
/// </remarks>
internal sealed partial class InterceptClientLink
{
    private const int ReceiveBufferSize = 64 * 1024;
    private const int SendChunkRecords = 1024;

    private readonly InterceptClient _owner;
    private readonly IPEndPoint _server;
    private readonly int _serverIndex;
    private readonly int _linkIndex;
    private readonly bool _combined;
    private readonly bool _withPayload;
    private readonly int _recordSize;
    private readonly int _askPayloadBytes;
    private readonly ReconnectBackoff _backoff;
    private readonly TimeSpan _connectTimeout;
    private readonly CancellationToken _stopToken;
    private readonly Thread _receiveThread;
    private readonly Thread _sendThread;
    private readonly ResponseRecordReader _reader;

    // Guarded by _sendLock: the published socket and everything the send thread consumes.
    private readonly object _sendLock = new();
    private readonly ClientRecordOutbox _outbox;
    private Socket? _socket;
    private Socket? _connecting;
    private bool _helloPending;
    private bool _resyncPending;
    private bool _stopping;
    private LinkFailure? _abortReason;

    private readonly object _statusLock = new();
    private InterceptLinkStatus _status;
    private int _connects;
    private int _failures;
    private int _started;

    public InterceptClientLink(InterceptClient owner, IPEndPoint server, int serverIndex, int linkIndex, InterceptClientOptions options, CancellationToken stopToken)
    {
        _owner = owner;
        _server = server;
        _serverIndex = serverIndex;
        _linkIndex = linkIndex;
        _combined = options.Combined;
        _withPayload = options.WithPayload;
        _recordSize = ChannelProtocol.RecordSize(options.WithPayload);
        _askPayloadBytes = options.ResponsePayloadBytes;
        _backoff = new ReconnectBackoff(options.MinBackoff, options.MaxBackoff);
        _connectTimeout = options.ConnectTimeout;
        _stopToken = stopToken;
        _outbox = new ClientRecordOutbox(options.SendBufferBytes);
        _reader = new ResponseRecordReader(ReceiveBufferSize, _combined, _withPayload, payloadRequested: _askPayloadBytes > 0);
        _status = new InterceptLinkStatus(server, linkIndex, InterceptLinkState.Connecting, 0, 0, null, null);
        var name = $"TcpReplay intercept link {server}#{linkIndex}";
        _receiveThread = new Thread(RunReceive) { IsBackground = true, Name = name + " receive" };
        _sendThread = new Thread(RunSend) { IsBackground = true, Name = name + " send" };
    }

    public InterceptLinkStatus Status => Volatile.Read(ref _status);

    public bool IsConnected => Volatile.Read(ref _status).State == InterceptLinkState.Connected;

    public void Start()
    {
        Volatile.Write(ref _started, 1);
        _receiveThread.Start();
        _sendThread.Start();
    }

    public void Stop()
    {
        Socket? socket;
        Socket? connecting;
        lock (_sendLock)
        {
            _stopping = true;
            socket = _socket;
            connecting = _connecting;
            Monitor.PulseAll(_sendLock);
        }

        if (socket is not null)
        {
            ShutDown(socket);
        }

        if (connecting is not null)
        {
            // shutdown(2) on a socket in SYN_SENT aborts the connect the receive thread is blocked in.
            ShutDown(connecting);
        }
    }

    /// <summary>The connected socket, for tests that look at how it is driven.</summary>
    internal Socket? CurrentSocket
    {
        get
        {
            lock (_sendLock)
            {
                return _socket;
            }
        }
    }

    /// <summary>Waits for both threads until the deadline (Environment.TickCount64); true when both ended (or never started).</summary>
    public bool Join(long deadlineTicks) =>
        Volatile.Read(ref _started) == 0 ||
        (_receiveThread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadlineTicks - Environment.TickCount64))) &
         _sendThread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadlineTicks - Environment.TickCount64))));

    private void RunReceive()
    {
        while (!_stopToken.IsCancellationRequested)
        {
            Report(InterceptLinkState.Connecting, error: null, connected: false, failed: false);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var error = Connect(socket);
            if (error is null && !Publish(socket))
            {
                socket.Dispose();
                break;
            }

            if (error is null)
            {
                var reconnect = Volatile.Read(ref _connects) > 0 || Volatile.Read(ref _failures) > 0;
                _backoff.Reset();
                if (reconnect)
                {
                    _owner.CountReconnect();
                }

                Report(InterceptLinkState.Connected, error: null, connected: true, failed: false);

                // The payload extension changes the record size after its acknowledgment, per connection of the link.
                _reader.Reset();
                error = _owner.Poller is null ? ReceiveLoop(socket) : AwaitPolledEnd(socket);
                lock (_sendLock)
                {
                    if (ReferenceEquals(_socket, socket))
                    {
                        _socket = null;
                    }

                    error = _abortReason ?? error;
                    _abortReason = null;
                }
            }

            socket.Dispose();
            if (_stopToken.IsCancellationRequested)
            {
                break;
            }

            Report(InterceptLinkState.Backoff, error, connected: false, failed: true);
            if (_stopToken.WaitHandle.WaitOne(_backoff.NextDelay()))
            {
                break;
            }
        }

        Report(InterceptLinkState.Stopped, error: null, connected: false, failed: false);
    }

    private LinkFailure ReceiveLoop(Socket socket)
    {
        while (true)
        {
            int received;
            try
            {
                received = socket.Receive(_reader.FreeSpace, SocketFlags.None);
            }
            catch (SocketException ex)
            {
                return LinkFailure.FromSocketError(ex.SocketErrorCode, $"receive from intercept {_server} failed: {ex.SocketErrorCode} ({ex.Message})");
            }
            catch (ObjectDisposedException)
            {
                return new LinkFailure(LinkFailureKind.Aborted, "link closed");
            }

            if (received == 0)
            {
                return ClosedByIntercept();
            }

            if (Consume(received) is { } failure)
            {
                return failure;
            }
        }
    }

    private LinkFailure ClosedByIntercept() => new(LinkFailureKind.Closed, $"intercept {_server} closed the connection");

    /// <summary>Reads the records <paramref name="received"/> more bytes complete and delivers them; a framing error ends the connection.</summary>
    private LinkFailure? Consume(int received)
    {
        _reader.Advance(received);
        for (var result = _reader.Read(out var record); result != ResponseRecordReadResult.NeedMoreData; result = _reader.Read(out record))
        {
            switch (result)
            {
                case ResponseRecordReadResult.ProtocolError:
                    _owner.CountProtocolError();
                    return new LinkFailure(
                        LinkFailureKind.ProtocolError,
                        $"protocol error from intercept {_server}: combined frame announces {_reader.AnnouncedRecords} records, at most {_reader.MaxRecordsPerFrame} allowed");

                case ResponseRecordReadResult.PayloadGranted:
                    _owner.ReportPayloadGranted(_reader.GrantedPayloadBytes);
                    break;

                default:
                    Deliver(record, _reader.PayloadBytes);
                    break;
            }
        }

        return null;
    }

    private void Deliver(Span<byte> record, int payloadBytes)
    {
        if (payloadBytes > 0)
        {
            var head = record[..ChannelProtocol.ResponseRecordSize];
            if (ResponseRecord.Normalize(head, withPayload: false) == ResponseRecordStatus.Ok)
            {
                _owner.DeliverResponse(head, ResponsePayloadExtension.GetPayload(record), ResponsePayloadExtension.GetCaptureTimestamp(record), _serverIndex);
            }
            else
            {
                _owner.CountInvalidRecord();
            }

            return;
        }

        if (ResponseRecord.Normalize(record, _withPayload) == ResponseRecordStatus.Ok)
        {
            _owner.DeliverResponse(record, default, 0, _serverIndex);
        }
        else
        {
            _owner.CountInvalidRecord();
        }
    }

    private void Report(InterceptLinkState state, LinkFailure? error, bool connected, bool failed)
    {
        InterceptLinkStatus status;
        lock (_statusLock)
        {
            var previous = _status;
            if (connected)
            {
                Interlocked.Increment(ref _connects);
            }

            if (failed)
            {
                Interlocked.Increment(ref _failures);
            }

            status = new InterceptLinkStatus(
                _server,
                _linkIndex,
                state,
                _connects,
                _failures,
                error?.Message ?? previous.LastError,
                connected ? DateTime.UtcNow : null)
            {
                LastFailureKind = error?.Kind ?? previous.LastFailureKind,
            };
            Volatile.Write(ref _status, status);
        }

        _owner.ReportLinkState(status);
    }

    private static void ShutDown(Socket socket)
    {
        // Shutdown wakes a thread blocked in Receive/Send on this socket (it returns 0 or fails); Dispose alone is
        // not guaranteed to on every platform.
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Not connected any more, or already closed: nothing is blocked on it.
        }

        socket.Dispose();
    }
}
