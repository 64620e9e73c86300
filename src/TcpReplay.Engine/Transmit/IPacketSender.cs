namespace TcpReplay.Engine.Transmit;

/// <summary>Sends whole IPv4 packets (header included) toward the target.</summary>
public interface IPacketSender : IDisposable
{
    /// <summary>Sends one packet. Never throws for a send failure: returns the Linux errno (0 on success).</summary>
    /// <param name="ipPacket">The IPv4 packet, header included, checksums set.</param>
    /// <param name="destination">Its destination address (host-order number of the wire value).</param>
    int Send(ReadOnlySpan<byte> ipPacket, uint destination);
}
