using System.Net.Sockets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// The send side: callers queue CLIENT_ADD records in the <see cref="ClientRecordOutbox"/>; the send thread writes the
/// <see cref="LinkHello"/> on each new connection, the whole live set when a resend is due, then the queued records.
/// A failed send aborts the connection, and the receive thread reconnects.
/// </summary>
internal sealed partial class InterceptClientLink
{
    /// <summary>Queues an ADD; false when this link is not connected. A full queue still returns true: the link then resends every live client.</summary>
    public bool TryEnqueue(in ClientRecord record)
    {
        lock (_sendLock)
        {
            if (_socket is null || _stopping)
            {
                return false;
            }

            if (!_outbox.TryAppend(record))
            {
                // The intercept reads slower than sessions start. The record is in the live set, so a full resend
                // after the queue drains covers it without holding an unbounded backlog here.
                _resyncPending = true;
            }

            Monitor.PulseAll(_sendLock);
            return true;
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
                while (!_stopping && (_socket is null || (!_helloPending && !_resyncPending && _outbox.Count == 0)))
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
                    count = _outbox.TakeInto(chunk);
                }
            }

            try
            {
                if (hello)
                {
                    var helloLength = LinkHello.Write(chunk, _askPayloadBytes);
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
            _outbox.Clear();
        }
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
}
