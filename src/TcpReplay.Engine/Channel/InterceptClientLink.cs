using System.Net;
using System.Net.Sockets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// One TCP link of an <see cref="InterceptClient"/> to one intercept. The receive thread owns the connection's life
/// (connect, read frames, back off, reconnect); the send thread writes the hello, the resends of live clients and the
/// queued ADD records. Both stop when the client's token is cancelled and <see cref="Stop"/> shuts the socket down.
/// </summary>
internal sealed class InterceptClientLink
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
    private readonly TimeSpan _minBackoff;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeSpan _connectTimeout;
    private readonly CancellationToken _stopToken;
    private readonly Thread _receiveThread;
    private readonly Thread _sendThread;

    // Guarded by _sendLock: the published socket and everything the send thread consumes.
    private readonly object _sendLock = new();
    private readonly byte[] _outbox;
    private int _outHead;
    private int _outCount;
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
        _minBackoff = options.MinBackoff;
        _maxBackoff = options.MaxBackoff;
        _connectTimeout = options.ConnectTimeout;
        _stopToken = stopToken;
        _outbox = new byte[options.SendBufferBytes / ChannelProtocol.ClientRecordSize * ChannelProtocol.ClientRecordSize];
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

    /// <summary>Queues an ADD; false when this link is not connected. A full queue still returns true: the link then resends every live client.</summary>
    public bool TryEnqueue(in ClientRecord record)
    {
        lock (_sendLock)
        {
            if (_socket is null || _stopping)
            {
                return false;
            }

            if (_outCount + ChannelProtocol.ClientRecordSize > _outbox.Length)
            {
                // The intercept reads slower than sessions start. The record is in the live set, so a full resend
                // after the queue drains covers it without holding an unbounded backlog here.
                _resyncPending = true;
                Monitor.PulseAll(_sendLock);
                return true;
            }

            var tail = (_outHead + _outCount) % _outbox.Length;
            record.WriteTo(_outbox.AsSpan(tail, ChannelProtocol.ClientRecordSize));
            _outCount += ChannelProtocol.ClientRecordSize;
            Monitor.PulseAll(_sendLock);
            return true;
        }
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
        var reader = new ResponseRecordReader(ReceiveBufferSize, _combined, _withPayload, payloadRequested: _askPayloadBytes > 0);
        var consecutiveFailures = 0;
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
                consecutiveFailures = 0;
                if (reconnect)
                {
                    _owner.CountReconnect();
                }

                Report(InterceptLinkState.Connected, error: null, connected: true, failed: false);

                error = ReceiveLoop(socket, reader);
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

            consecutiveFailures++;
            Report(InterceptLinkState.Backoff, error, connected: false, failed: true);
            if (_stopToken.WaitHandle.WaitOne(BackoffDelay(consecutiveFailures)))
            {
                break;
            }
        }

        Report(InterceptLinkState.Stopped, error: null, connected: false, failed: false);
    }

    private LinkFailure? Connect(Socket socket)
    {
        lock (_sendLock)
        {
            if (_stopping)
            {
                return LinkFailure.Stopped;
            }

            _connecting = socket;
        }

        try
        {
            // A blocking connect, not ConnectAsync: on Unix a socket that has seen one async operation runs every later
            // synchronous Receive and Send through .NET's epoll thread and the thread pool, which cost the copier more
            // CPU per intercept record than the copy itself. Linux bounds a blocking connect by SO_SNDTIMEO, and Stop
            // aborts one in progress with shutdown(2).
            socket.SendTimeout = (int)Math.Clamp(_connectTimeout.TotalMilliseconds, 1, int.MaxValue);
            socket.Connect(_server);
            socket.SendTimeout = 0;
            return null;
        }
        catch (SocketException ex) when (_stopToken.IsCancellationRequested)
        {
            _ = ex;
            return LinkFailure.Stopped;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.InProgress or SocketError.WouldBlock or SocketError.TimedOut)
        {
            return new LinkFailure(LinkFailureKind.ConnectFailed, $"connect to intercept {_server} timed out after {_connectTimeout.TotalMilliseconds:0} ms");
        }
        catch (SocketException ex)
        {
            return new LinkFailure(LinkFailureKind.ConnectFailed, $"connect to intercept {_server} failed: {ex.SocketErrorCode} ({ex.Message})");
        }
        catch (ObjectDisposedException)
        {
            return LinkFailure.Stopped;
        }
        finally
        {
            lock (_sendLock)
            {
                _connecting = null;
            }
        }
    }

    /// <summary>Makes a connected socket the link's socket and schedules hello + full resend; false when stopping.</summary>
    private bool Publish(Socket socket)
    {
        lock (_sendLock)
        {
            if (_stopping)
            {
                return false;
            }

            _socket = socket;
            _outHead = 0;
            _outCount = 0;
            _helloPending = true;
            _resyncPending = true;
            _abortReason = null;
            Monitor.PulseAll(_sendLock);
            return true;
        }
    }

    private LinkFailure ReceiveLoop(Socket socket, ResponseRecordReader reader)
    {
        // The payload extension changes the record size after its acknowledgment, per connection of the link.
        reader.Reset();
        while (true)
        {
            int received;
            try
            {
                received = socket.Receive(reader.FreeSpace, SocketFlags.None);
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
                return new LinkFailure(LinkFailureKind.Closed, $"intercept {_server} closed the connection");
            }

            reader.Advance(received);
            for (var result = reader.Read(out var record); result != ResponseRecordReadResult.NeedMoreData; result = reader.Read(out record))
            {
                switch (result)
                {
                    case ResponseRecordReadResult.ProtocolError:
                        _owner.CountProtocolError();
                        return new LinkFailure(
                            LinkFailureKind.ProtocolError,
                            $"protocol error from intercept {_server}: combined frame announces {reader.AnnouncedRecords} records, at most {reader.MaxRecordsPerFrame} allowed");

                    case ResponseRecordReadResult.PayloadGranted:
                        _owner.ReportPayloadGranted(reader.GrantedPayloadBytes);
                        break;

                    default:
                        Deliver(record, reader.PayloadBytes);
                        break;
                }
            }
        }
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

    private void RunSend()
    {
        var chunk = new byte[SendChunkRecords * ChannelProtocol.ClientRecordSize];
        var snapshot = new ClientRecord[64];
        while (true)
        {
            Socket socket;
            bool hello;
            bool resync;
            var count = 0;
            lock (_sendLock)
            {
                while (!_stopping && (_socket is null || (!_helloPending && !_resyncPending && _outCount == 0)))
                {
                    Monitor.Wait(_sendLock);
                }

                if (_stopping)
                {
                    return;
                }

                socket = _socket!;
                hello = _helloPending;
                resync = _resyncPending;
                _helloPending = false;
                _resyncPending = false;
                if (!resync)
                {
                    // With a resend, the queue is emptied when the live set is copied (SendLiveClients).
                    count = Dequeue(chunk);
                }
            }

            try
            {
                if (hello)
                {
                    ClientRecord.Hello.WriteTo(chunk);
                    var helloLength = ChannelProtocol.ClientRecordSize;
                    if (_askPayloadBytes > 0)
                    {
                        // Before any ADD, so no response is routed to this link before the intercept's answer.
                        ResponsePayloadExtension.CreateRequest(_askPayloadBytes).WriteTo(chunk.AsSpan(helloLength));
                        helloLength += ChannelProtocol.ClientRecordSize;
                    }

                    socket.Send(chunk, 0, helloLength, SocketFlags.None);
                }

                if (resync)
                {
                    SendLiveClients(socket, chunk, ref snapshot);
                }

                if (count > 0)
                {
                    socket.Send(chunk, 0, count, SocketFlags.None);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                var reason = $"send to intercept {_server} failed: {ex.Message}";
                Abort(socket, ex is SocketException socketError ? LinkFailure.FromSocketError(socketError.SocketErrorCode, reason) : new LinkFailure(LinkFailureKind.Aborted, reason));
            }
        }
    }

    private void SendLiveClients(Socket socket, byte[] chunk, ref ClientRecord[] snapshot)
    {
        var live = _owner.CopyLiveClientsForResend(this, ref snapshot);
        var used = 0;
        for (var i = 0; i < live; i++)
        {
            snapshot[i].WriteTo(chunk.AsSpan(used, ChannelProtocol.ClientRecordSize));
            used += ChannelProtocol.ClientRecordSize;
            if (used == chunk.Length)
            {
                socket.Send(chunk, 0, used, SocketFlags.None);
                used = 0;
            }
        }

        if (used > 0)
        {
            socket.Send(chunk, 0, used, SocketFlags.None);
        }
    }

    /// <summary>Drops what is queued: the caller is about to send the whole live set, which holds all of it.</summary>
    internal void ClearQueue()
    {
        lock (_sendLock)
        {
            _outHead = 0;
            _outCount = 0;
        }
    }

    private int Dequeue(byte[] chunk)
    {
        var count = Math.Min(_outCount, chunk.Length);
        var first = Math.Min(count, _outbox.Length - _outHead);
        Buffer.BlockCopy(_outbox, _outHead, chunk, 0, first);
        Buffer.BlockCopy(_outbox, 0, chunk, first, count - first);
        _outHead = (_outHead + count) % _outbox.Length;
        _outCount -= count;
        return count;
    }

    private void Abort(Socket socket, LinkFailure reason)
    {
        lock (_sendLock)
        {
            if (!ReferenceEquals(_socket, socket))
            {
                return;
            }

            _abortReason ??= reason;
        }

        ShutDown(socket);
    }

    private TimeSpan BackoffDelay(int consecutiveFailures)
    {
        var factor = Math.Pow(2, Math.Min(consecutiveFailures - 1, 30));
        var delay = _minBackoff.TotalMilliseconds * factor;
        return TimeSpan.FromMilliseconds(Math.Min(delay, _maxBackoff.TotalMilliseconds));
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
