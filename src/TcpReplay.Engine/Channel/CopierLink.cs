using System.Net;
using System.Net.Sockets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// One accepted copier link on an <see cref="InterceptServer"/>. The receive thread reads the hello and the
/// CLIENT_ADD records; the capture thread appends response records to the frame being built (never blocking: the
/// frames wait in a bounded pool and records are dropped, and counted, when it is exhausted); the send thread writes
/// finished frames, several per system call when they pile up.
/// </summary>
internal sealed class CopierLink : IRouteTarget
{
    private const int ReceiveBufferSize = 16 * 1024;
    private const int StagingBytes = 64 * 1024;

    private readonly InterceptServer _server;
    private readonly Socket _socket;
    private readonly bool _combined;
    private readonly int _maxLimit;
    private readonly Thread _receiveThread;
    private readonly Thread _sendThread;

    // Guarded by _lock: the frame being built, the pool of frame buffers and the queue of finished frames.
    private readonly object _lock = new();
    private readonly byte[][] _frames;
    private readonly int[] _frameLengths;
    private readonly int[] _freeFrames;
    private readonly int[] _readyFrames;
    private int _freeCount;
    private int _readyHead;
    private int _readyCount;
    private int _recordSize;
    private int _payloadBytes;
    private int _current = -1;
    private int _currentRecords;
    private int _limit;
    private long _lastAccessMs;
    private volatile bool _closed;
    private string? _closeReason;

    public CopierLink(InterceptServer server, Socket socket, InterceptServerOptions options, int id)
    {
        _server = server;
        _socket = socket;
        Id = id;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        _combined = options.Combined;
        _recordSize = ChannelProtocol.RecordSize(options.WithPayload);
        _maxLimit = options.CombineLimit == 0 ? ChannelProtocol.MaxRecordsPerFrame(options.WithPayload) : options.CombineLimit;
        _limit = _maxLimit;

        // Plain (not combined) mode sends each record on its own, as C intercept does, so a frame is one record. Frames
        // are sized for the largest record the payload extension may grant this link.
        var largestRecord = Math.Max(_recordSize, options.RoutedRecordSize);
        var frameSize = _combined ? ChannelProtocol.CombinedHeaderSize + (_maxLimit * largestRecord) : largestRecord;
        var frameCount = Math.Max(4, options.SendBufferBytes / frameSize);
        _frames = new byte[frameCount][];
        _frameLengths = new int[frameCount];
        _freeFrames = new int[frameCount];
        _readyFrames = new int[frameCount];
        for (var i = 0; i < frameCount; i++)
        {
            _frames[i] = new byte[frameSize];
            _freeFrames[i] = i;
        }

        _freeCount = frameCount;
        var name = $"TcpReplay intercept copier {RemoteEndPoint}";
        _receiveThread = new Thread(RunReceive) { IsBackground = true, Name = name + " receive" };
        _sendThread = new Thread(RunSend) { IsBackground = true, Name = name + " send" };
    }

    public int Id { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    public bool IsClosed => _closed;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    public void Start()
    {
        _receiveThread.Start();
        _sendThread.Start();
    }

    /// <summary>
    /// Adds one record to the frame being built and sends the frame by the rules of tc_combine.c
    /// <c>buffer_and_snd</c>: when it holds the adaptive count, or when this call falls in another millisecond than
    /// the previous one on this link.
    /// </summary>
    public AppendResult Append(ReadOnlySpan<byte> record, long nowMs)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return AppendResult.Closed;
            }

            if (_current < 0)
            {
                if (_freeCount == 0)
                {
                    return AppendResult.Dropped;
                }

                _current = _freeFrames[--_freeCount];
                _currentRecords = 0;
            }

            var header = _combined ? ChannelProtocol.CombinedHeaderSize : 0;
            var destination = _frames[_current].AsSpan(header + (_currentRecords * _recordSize), _recordSize);
            if (_payloadBytes > 0)
            {
                ResponsePayloadExtension.CopyTo(record, destination, _payloadBytes);
            }
            else
            {
                record[.._recordSize].CopyTo(destination);
            }

            _currentRecords++;

            if (!_combined)
            {
                FinishFrame();
            }
            else if (_currentRecords >= _limit)
            {
                // Count-driven: the link is busy, let frames grow (C: cur_combined_num++).
                FinishFrame();
                if (_limit < _maxLimit)
                {
                    _limit++;
                }
            }
            else if (nowMs != _lastAccessMs)
            {
                FinishTimeDriven();
            }

            _lastAccessMs = nowMs;
            return AppendResult.Queued;
        }
    }

    /// <summary>
    /// Answers the copier's request for response payload bytes (<see cref="ResponsePayloadExtension"/>): what is being
    /// built goes out first, then the acknowledgment alone in its frame, both in the old record size; every record after
    /// it has the granted size. Called on the receive thread.
    /// </summary>
    public void SwitchToResponsePayload(int grantedBytes)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            if (_current >= 0)
            {
                FinishFrame();
            }

            if (_freeCount == 0)
            {
                // Every frame is waiting for a copier that reads nothing: the link is as good as dead, and the copier
                // would misread records if the size changed without the acknowledgment.
                return;
            }

            _current = _freeFrames[--_freeCount];
            var header = _combined ? ChannelProtocol.CombinedHeaderSize : 0;
            ResponsePayloadExtension.WriteAcknowledgment(_frames[_current].AsSpan(header, _recordSize), grantedBytes);
            _currentRecords = 1;
            FinishFrame();
            if (grantedBytes > 0)
            {
                _payloadBytes = grantedBytes;
                _recordSize = ResponsePayloadExtension.RecordSize(grantedBytes);
            }
        }
    }

    /// <summary>
    /// Sends a partly filled frame now: the capture has handed over what its wake-up brought, and no more records come
    /// before its next one, so holding the frame for the flush timer would only delay the copier.
    /// </summary>
    public void FlushPending()
    {
        lock (_lock)
        {
            if (!_closed && _current >= 0)
            {
                FinishFrame();
            }
        }
    }

    /// <summary>The flush timer: sends a partly filled frame when the millisecond changed since the last access.</summary>
    public void FlushIfDue(long nowMs)
    {
        lock (_lock)
        {
            if (_closed || _current < 0)
            {
                return;
            }

            if (nowMs != _lastAccessMs)
            {
                FinishTimeDriven();
            }

            _lastAccessMs = nowMs;
        }
    }

    public void Close(string reason)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closeReason = reason;
            _closed = true;
            Monitor.PulseAll(_lock);
        }

        try
        {
            // Wakes the receive and send threads if they are blocked on the socket.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer or closed: nothing is blocked on it.
        }

        _socket.Dispose();
        _server.OnConnectionClosed(this);
    }

    public bool Join(long deadlineTicks) =>
        _receiveThread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadlineTicks - Environment.TickCount64))) &
        _sendThread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadlineTicks - Environment.TickCount64)));

    private void FinishTimeDriven()
    {
        // Time-driven with fewer records than the count: traffic is light, so shrink frames (C: cur_combined_num--).
        if (_currentRecords < _limit && _limit > 1)
        {
            _limit--;
        }

        FinishFrame();
    }

    private void FinishFrame()
    {
        var frame = _frames[_current];
        var length = _currentRecords * _recordSize;
        if (_combined)
        {
            CombinedFrame.WriteCount(frame, _currentRecords);
            length += ChannelProtocol.CombinedHeaderSize;
        }

        _frameLengths[_current] = length;
        _readyFrames[(_readyHead + _readyCount) % _readyFrames.Length] = _current;
        _readyCount++;
        _current = -1;
        _currentRecords = 0;
        if (_readyCount == 1)
        {
            Monitor.PulseAll(_lock);
        }
    }

    private void RunSend()
    {
        var staging = new byte[Math.Max(StagingBytes, _frames[0].Length)];
        while (true)
        {
            var length = 0;
            lock (_lock)
            {
                while (!_closed && _readyCount == 0)
                {
                    Monitor.Wait(_lock);
                }

                if (_closed)
                {
                    return;
                }

                while (_readyCount > 0)
                {
                    var index = _readyFrames[_readyHead];
                    var frameLength = _frameLengths[index];
                    if (length + frameLength > staging.Length)
                    {
                        break;
                    }

                    Buffer.BlockCopy(_frames[index], 0, staging, length, frameLength);
                    length += frameLength;
                    _readyHead = (_readyHead + 1) % _readyFrames.Length;
                    _readyCount--;
                    _freeFrames[_freeCount++] = index;
                }
            }

            try
            {
                var sent = 0;
                while (sent < length)
                {
                    sent += _socket.Send(staging, sent, length - sent, SocketFlags.None);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Close($"send to copier {RemoteEndPoint} failed: {ex.Message}");
                return;
            }
        }
    }

    private void RunReceive()
    {
        var buffer = new byte[ReceiveBufferSize];
        var filled = 0;
        var helloChecked = false;
        var helloDone = false;
        while (true)
        {
            int received;
            try
            {
                received = _socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Close($"receive from copier {RemoteEndPoint} failed: {ex.Message}");
                return;
            }

            if (received == 0)
            {
                Close($"copier {RemoteEndPoint} closed the connection");
                return;
            }

            filled += received;
            var consumed = 0;
            if (!helloDone)
            {
                // Intercept decides on the first 8 bytes alone (msg_old_clt_s), before the rest of the hello arrives.
                if (filled < ChannelProtocol.ClientRecordMinSize)
                {
                    continue;
                }

                if (!helloChecked && !_server.AcceptHello(buffer.AsSpan(0, ChannelProtocol.ClientRecordMinSize)))
                {
                    Close($"copier {RemoteEndPoint} sent no hello (client address/port not zero): too old or not a copier");
                    return;
                }

                helloChecked = true;

                if (filled < ChannelProtocol.ClientRecordSize)
                {
                    continue;
                }

                helloDone = true;
                consumed = ChannelProtocol.ClientRecordSize;
            }

            while (filled - consumed >= ChannelProtocol.ClientRecordSize)
            {
                ClientRecord.TryRead(buffer.AsSpan(consumed, ChannelProtocol.ClientRecordSize), out var record);
                _server.OnClientRecord(record, this);
                consumed += ChannelProtocol.ClientRecordSize;
            }

            Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
        }
    }
}
