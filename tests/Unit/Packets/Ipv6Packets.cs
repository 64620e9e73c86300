using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>IPv6 extension headers, laid out by hand as RFC 8200 §4 and RFC 4302 §2 give them.</summary>
internal static class Ipv6Packets
{
    public static byte[] HopByHop(int length = 8) => Generic(length);

    public static byte[] DestinationOptions(int length = 16) => Generic(length);

    public static byte[] Routing(int length = 24)
    {
        byte[] header = Generic(length);
        header[2] = 4; // Segment Routing Header type; the parser does not look inside.
        header[3] = 0; // Segments Left 0: the Destination Address is the final one.
        return header;
    }

    public static byte[] AuthenticationHeader(int length = 16)
    {
        byte[] header = new byte[length];
        header[1] = (byte)((length / 4) - 2);
        header.AsSpan(4).Fill(0xA5);
        return header;
    }

    public static byte[] Fragment(int offsetBytes, bool more, uint identification = 0x01020304)
    {
        byte[] header = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(offsetBytes | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), identification);
        return header;
    }

    /// <summary>
    /// Inserts extension headers between the fixed header of <paramref name="ipv6"/> and its upper
    /// layer, chaining the Next Header fields and growing the payload length.
    /// </summary>
    public static byte[] WithExtensions(byte[] ipv6, params (byte Type, byte[] Header)[] extensions)
    {
        byte upper = ipv6[6];
        var result = new List<byte>(ipv6.AsSpan(0, 40).ToArray());
        result[6] = extensions.Length == 0 ? upper : extensions[0].Type;
        for (int i = 0; i < extensions.Length; i++)
        {
            byte[] header = (byte[])extensions[i].Header.Clone();
            header[0] = i + 1 < extensions.Length ? extensions[i + 1].Type : upper;
            result.AddRange(header);
        }

        result.AddRange(ipv6.AsSpan(40).ToArray());
        byte[] bytes = [.. result];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)(bytes.Length - 40));
        return bytes;
    }

    private static byte[] Generic(int length)
    {
        // Length in 8-octet units beyond the first 8; the body is a PadN option (RFC 8200 §4.2).
        byte[] header = new byte[length];
        header[1] = (byte)((length / 8) - 1);
        header[2] = 1;
        header[3] = (byte)(length - 4);
        return header;
    }

    public const byte HopByHopType = IpProtocolNumbers.HopByHopOptions;
    public const byte RoutingType = IpProtocolNumbers.Routing;
    public const byte FragmentType = IpProtocolNumbers.Fragment;
    public const byte DestinationOptionsType = IpProtocolNumbers.DestinationOptions;
    public const byte AuthenticationHeaderType = IpProtocolNumbers.AuthenticationHeader;
}
