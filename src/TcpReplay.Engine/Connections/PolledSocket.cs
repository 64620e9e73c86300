using System.Net.Sockets;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// How an <see cref="IPolledInput"/> holds a socket over one poll and read: a reference on its handle, so that a socket
/// another thread disposes meanwhile is not closed (and its number not reused) under the poll.
/// </summary>
internal static class PolledSocket
{
    /// <summary>Holds <paramref name="socket"/>'s handle until <see cref="Release"/>; false when it is closed already.</summary>
    public static bool TryHold(Socket socket, out int fd)
    {
        fd = -1;
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        if (added)
        {
            fd = (int)socket.SafeHandle.DangerousGetHandle();
        }

        return added;
    }

    /// <summary>Lets go of a handle <see cref="TryHold"/> held.</summary>
    public static void Release(Socket socket) => socket.SafeHandle.DangerousRelease();
}
