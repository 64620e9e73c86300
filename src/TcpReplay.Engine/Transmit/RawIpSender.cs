using System.Net;
using System.Net.Sockets;
using TcpReplay.Engine.Buffers;

namespace TcpReplay.Engine.Transmit;

/// <summary>
/// Sends IPv4 packets through a raw socket with the header included (IPPROTO_RAW), so the fake client source
/// address goes out as written. Needs root or CAP_NET_RAW.
/// </summary>
/// <remarks>
/// Held packets (<see cref="TryHold"/>) leave together with one sendmmsg(2) per <see cref="Flush"/>; a packet larger
/// than a batch slot (a jumbo frame) is sent on its own after the batch.
/// </remarks>
public sealed class RawIpSender : IBatchingPacketSender
{
    // Packets per sendmmsg: the copy engine's batches rarely hold more while it keeps up; more would only delay the first.
    private const int BatchCapacity = 64;

    // A 1500-byte MTU packet with room to spare; larger ones go with Send.
    private const int BatchSlotSize = 2048;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly MessageBatch _batch = new(BatchCapacity, BatchSlotSize);
    private readonly Dictionary<uint, SocketAddress> _destinations = [];

    public RawIpSender()
    {
        // IPPROTO_RAW implies IP_HDRINCL on Linux (raw(7)).
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw);
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
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

    public bool TryHold(ReadOnlySpan<byte> ipPacket, uint destination) => _batch.TryAdd(ipPacket, destination);

    public void Flush(ISendOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_batch.Count > 0)
        {
            _batch.Send(_fd, outcome);
        }
    }

    /// <summary>Sends a batch filled elsewhere (<see cref="ThreadedRawIpSender"/>'s) on this socket.</summary>
    internal void SendBatch(MessageBatch batch, ISendOutcome outcome) => batch.Send(_fd, outcome);

    public void Dispose()
    {
        _socket.Dispose();
        _batch.Dispose();
    }
}
