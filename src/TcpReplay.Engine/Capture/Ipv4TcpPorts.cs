using System.Buffers.Binary;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// The few IPv4/TCP fields a capture filters on, read bounds-checked straight from the bytes (RFC 791 §3.1,
/// RFC 9293 §3.1). Deliberately minimal: the full views live in Engine/Packets.
/// </summary>
internal static class Ipv4TcpPorts
{
    private const int MinimumIpv4HeaderLength = 20;
    private const int ProtocolOffset = 9;
    private const int FlagsFragmentOffset = 6;
    private const int DestinationAddressOffset = 16;
    private const byte TcpProtocol = 6;

    // The 13-bit fragment offset; a non-zero one means no TCP header is in this fragment.
    private const ushort FragmentOffsetMask = 0x1FFF;

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
        if (packet.Length < MinimumIpv4HeaderLength || packet[0] >> 4 != 4)
        {
            return false;
        }

        var headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < MinimumIpv4HeaderLength
            || packet[ProtocolOffset] != TcpProtocol
            || (BinaryPrimitives.ReadUInt16BigEndian(packet[FlagsFragmentOffset..]) & FragmentOffsetMask) != 0
            || packet.Length < headerLength + 4)
        {
            return false;
        }

        destinationAddress = BinaryPrimitives.ReadUInt32BigEndian(packet[DestinationAddressOffset..]);
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(packet[headerLength..]);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(packet[(headerLength + 2)..]);
        return true;
    }
}
