using System.Net.Sockets;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// Connecting: one blocking attempt bounded by the connect timeout, then publishing the connected socket to the send
/// thread. The wait between attempts is the <see cref="ReconnectBackoff"/>'s.
/// </summary>
internal sealed partial class InterceptClientLink
{
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
            _outbox.Clear();
            _helloPending = true;
            _resyncPending = true;
            _abortReason = null;
            Monitor.PulseAll(_sendLock);
            return true;
        }
    }
}
