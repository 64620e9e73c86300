using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>ARP over Ethernet for IPv4 (RFC 826): builds requests and reads replies. Addresses are host order.</summary>
internal static class ArpFrame
{
    // Ethernet header (14) + ARP for Ethernet/IPv4 (28); offsets from the start of the frame, fields big-endian.
    public const int Length = 42;
    private const int EtherTypeOffset = 12;
    private const int HardwareTypeOffset = 14;
    private const int ProtocolTypeOffset = 16;
    private const int HardwareLengthOffset = 18;
    private const int ProtocolLengthOffset = 19;
    private const int OperationOffset = 20;
    private const int SenderMacOffset = 22;
    private const int SenderAddressOffset = 28;
    private const ushort EtherTypeArp = 0x0806;
    private const ushort HardwareTypeEthernet = 1;
    private const ushort ProtocolTypeIPv4 = 0x0800;
    private const ushort OperationReply = 2;

    private static readonly PhysicalAddress Broadcast = new([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    private static readonly PhysicalAddress Unknown = new(new byte[6]);

    /// <summary>
    /// A broadcast "who has <paramref name="target"/>? tell <paramref name="sender"/>" from <paramref name="mac"/>.
    /// A sender of 0 makes it an RFC 5227 probe, which hosts answer without learning a neighbour.
    /// </summary>
    public static byte[] BuildRequest(PhysicalAddress mac, uint sender, uint target)
    {
        var arp = new ArpPacket(ArpOperation.Request, Unknown, ToIPAddress(target), mac, ToIPAddress(sender));
        var ethernet = new EthernetPacket(mac, Broadcast, EthernetType.Arp) { PayloadPacket = arp };
        return ethernet.Bytes;
    }

    /// <summary>Reads an ARP reply for IPv4 over Ethernet; false for anything else, including short frames.</summary>
    public static bool TryReadReply(ReadOnlySpan<byte> frame, out uint senderAddress, [NotNullWhen(true)] out PhysicalAddress? senderMac)
    {
        senderAddress = 0;
        senderMac = null;
        if (frame.Length < Length
            || BinaryPrimitives.ReadUInt16BigEndian(frame[EtherTypeOffset..]) != EtherTypeArp
            || BinaryPrimitives.ReadUInt16BigEndian(frame[HardwareTypeOffset..]) != HardwareTypeEthernet
            || BinaryPrimitives.ReadUInt16BigEndian(frame[ProtocolTypeOffset..]) != ProtocolTypeIPv4
            || frame[HardwareLengthOffset] != 6
            || frame[ProtocolLengthOffset] != 4
            || BinaryPrimitives.ReadUInt16BigEndian(frame[OperationOffset..]) != OperationReply)
        {
            return false;
        }

        senderAddress = BinaryPrimitives.ReadUInt32BigEndian(frame[SenderAddressOffset..]);
        senderMac = new PhysicalAddress(frame.Slice(SenderMacOffset, 6).ToArray());
        return true;
    }

    private static IPAddress ToIPAddress(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }
}
