using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// The few IPv4/TCP fields a capture filters on, read bounds-checked through the peek views of Engine/Packets
/// (RFC 791 §3.1, RFC 9293 §3.1): only the fixed IPv4 header and the four bytes of TCP ports need to be present.
/// </summary>
internal static class Ipv4TcpPorts
{
    /// <summary>
    /// Reads the destination address and the TCP ports of an IPv4 packet. False (nothing read) when the packet is
    /// not IPv4, not TCP, a non-first fragment, or too short for the IP header plus the four bytes of TCP ports.
    /// </summary>
    /// <param name="packet">The packet from its IPv4 header on.</param>
    /// <param name="destinationAddress">Host-order number of the wire address.</param>
    /// <param name="sourcePort">TCP source port.</param>
    /// <param name="destinationPort">TCP destination port.</param>
    public static bool TryRead(ReadOnlySpan<byte> packet, out uint destinationAddress, out ushort sourcePort, out ushort destinationPort)
    {
        destinationAddress = 0;
        sourcePort = 0;
        destinationPort = 0;

        // A non-first fragment holds no TCP header.
        if (Ipv4HeaderPeek.TryPeek(packet, out var ip) != PacketParseStatus.Ok || !ip.IsTcp || ip.FragmentOffset != 0)
        {
            return false;
        }

        var tcp = new TcpHeaderPeek(ip.AfterHeader);
        if (!tcp.HasPorts)
        {
            return false;
        }

        destinationAddress = ip.DestinationAddress;
        sourcePort = tcp.SourcePort;
        destinationPort = tcp.DestinationPort;
        return true;
    }
}
