using System.Net;
using System.Net.Sockets;

namespace TcpReplay.Engine.Transmit;

/// <summary>
/// Sends IPv4 packets through a raw socket with the header included (IPPROTO_RAW), so the fake client source
/// address goes out as written. Needs root or CAP_NET_RAW.
/// </summary>
public sealed class RawIpSender : IPacketSender
{
    private readonly Socket _socket;
    private readonly Dictionary<uint, SocketAddress> _destinations = [];

    public RawIpSender()
    {
        // IPPROTO_RAW implies IP_HDRINCL on Linux (raw(7)).
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
        _socket.SendBufferSize = 4 * 1024 * 1024;
    }

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        if (!_destinations.TryGetValue(destination, out var address))
        {
            address = new IPEndPoint(Addresses.ToIPAddress(destination), 0).Serialize();
            _destinations[destination] = address;
        }

        try
        {
            _socket.SendTo(ipPacket, SocketFlags.None, address);
            return 0;
        }
        catch (SocketException exception)
        {
            return exception.NativeErrorCode;
        }
    }

    public void Dispose() => _socket.Dispose();
}
