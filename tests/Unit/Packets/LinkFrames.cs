using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>Wraps an IP packet in the link-layer headers of each <see cref="LinkType"/>, byte by byte as the specifications lay them out.</summary>
internal static class LinkFrames
{
    public const ushort EtherTypeIpv4 = 0x0800;
    public const ushort EtherTypeIpv6 = 0x86DD;

    public static IEnumerable<LinkType> All => Enum.GetValues<LinkType>();

    public static byte[] Wrap(LinkType linkType, byte[] ip, out int networkOffset)
    {
        int version = ip.Length == 0 ? 4 : ip[0] >> 4;
        ushort etherType = version == 6 ? EtherTypeIpv6 : EtherTypeIpv4;
        byte[] header = linkType switch
        {
            LinkType.Ethernet => Ethernet(etherType),
            LinkType.LinuxSll => LinuxSll(etherType),
            LinkType.LinuxSll2 => LinuxSll2(etherType),
            LinkType.Null => Loopback(version == 6 ? 30u : 2u, littleEndian: true),
            LinkType.Loop => Loopback(version == 6 ? 24u : 2u, littleEndian: false),
            _ => [],
        };
        networkOffset = header.Length;
        return [.. header, .. ip];
    }

    /// <summary>An Ethernet II header with zero MACs (as on Linux loopback) and the given tags (TPID, TCI) before the EtherType.</summary>
    public static byte[] Ethernet(ushort etherType, params (ushort Tpid, ushort Tci)[] tags)
    {
        byte[] header = new byte[14 + (4 * tags.Length)];
        for (int i = 0; i < 6; i++)
        {
            header[i] = (byte)(0x02 + i);
            header[6 + i] = (byte)(0x12 + i);
        }

        int position = 12;
        foreach ((ushort tpid, ushort tci) in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(position), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(position + 2), tci);
            position += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(position), etherType);
        return header;
    }

    /// <summary>LINKTYPE_LINUX_SLL: packet type, ARPHRD type, address length, 8 address bytes, protocol.</summary>
    public static byte[] LinuxSll(ushort protocol)
    {
        byte[] header = new byte[16];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(0), 4); // sent by us
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), 1); // ARPHRD_ETHER
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 6);
        header.AsSpan(6, 6).Fill(0xAB);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), protocol);
        return header;
    }

    /// <summary>LINKTYPE_LINUX_SLL2: protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.</summary>
    public static byte[] LinuxSll2(ushort protocol)
    {
        byte[] header = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(0), protocol);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 7);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), 1);
        header[10] = 0;
        header[11] = 6;
        header.AsSpan(12, 6).Fill(0xCD);
        return header;
    }

    public static byte[] Loopback(uint addressFamily, bool littleEndian)
    {
        byte[] header = new byte[4];
        if (littleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header, addressFamily);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(header, addressFamily);
        }

        return header;
    }
}
