using System.Net.Sockets;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// The receive side when another thread polls the link (<see cref="InterceptClient.ReceiveOnPollingThread"/>): the
/// link's thread still connects, backs off and reconnects, but once connected it hands the socket to the poller and
/// waits; the poller reads the frames without blocking and says when the connection is over.
/// </summary>
/// <remarks>
/// The poller holds a reference on the socket's handle from before its poll(2) until after its read, so a socket that the
/// send thread or <see cref="Stop"/> disposes meanwhile is not closed (its number not reused) under it.
/// </remarks>
internal sealed partial class InterceptClientLink
{
    // Guarded by _sendLock: the connected socket the poller reads, and why the poller stopped reading it.
    private Socket? _polledSocket;
    private LinkFailure? _polledEnd;

    // The poller's thread only: the socket it holds from AcquireForPoll to ReleaseAfterPoll.
    private Socket? _held;
    private int _heldFd;

    /// <summary>Hands the connected socket to the poller and waits until the poller ends it or the link stops.</summary>
    private LinkFailure AwaitPolledEnd(Socket socket)
    {
        lock (_sendLock)
        {
            _polledSocket = socket;
            _polledEnd = null;
        }

        // A poller asleep does not wait on this socket yet.
        _owner.Poller?.Wake();
        lock (_sendLock)
        {
            while (_polledEnd is null && !_stopping)
            {
                Monitor.Wait(_sendLock);
            }

            _polledSocket = null;
            return _polledEnd ?? LinkFailure.Stopped;
        }
    }

    /// <summary>Holds the socket the poller may read; false when the link has none now.</summary>
    internal bool AcquireForPoll(out int fd)
    {
        fd = -1;
        Socket? socket;
        lock (_sendLock)
        {
            socket = _polledSocket;
        }

        if (socket is null || !PolledSocket.TryHold(socket, out fd))
        {
            return false;
        }

        _held = socket;
        _heldFd = fd;
        return true;
    }

    /// <summary>Reads what the held socket has, without blocking, and delivers its records; ends the connection on EOF, error or a framing error.</summary>
    internal void ReadHeld()
    {
        if (_held is not { } socket)
        {
            return;
        }

        var received = LinuxNative.ReceiveWithoutWaiting(_heldFd, _reader.FreeSpace);
        if (received is -LinuxNative.EAgain or -LinuxNative.EIntr)
        {
            return;
        }

        LinkFailure? end;
        if (received == 0)
        {
            end = ClosedByIntercept();
        }
        else if (received < 0)
        {
            var error = LinkFailure.SocketErrorOf(-received);
            end = LinkFailure.FromSocketError(error, $"receive from intercept {_server} failed: {error} (errno {-received})");
        }
        else
        {
            end = Consume(received);
        }

        if (end is { } failure)
        {
            lock (_sendLock)
            {
                if (ReferenceEquals(_polledSocket, socket))
                {
                    _polledSocket = null;
                    _polledEnd = failure;
                    Monitor.PulseAll(_sendLock);
                }
            }
        }
    }

    /// <summary>Lets go of the socket <see cref="AcquireForPoll"/> held.</summary>
    internal void ReleaseAfterPoll()
    {
        if (_held is not null)
        {
            PolledSocket.Release(_held);
            _held = null;
        }
    }
}
