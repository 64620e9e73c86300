using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// Conversions for addresses held as <see cref="UInt128"/>: the 16 network-order bytes of an IPv6
/// address read as one big-endian number; IPv4 as the IPv4-mapped address ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
/// One number type for both families keeps connection keys flat and allocation-free.
/// </summary>
public static class IpAddress128
{
    private const ulong Ipv4MappedPrefix = 0xFFFF;

    /// <summary>The IPv4-mapped form of a host-order IPv4 address (a.b.c.d is 0xAABBCCDD).</summary>
    public static UInt128 FromIpv4(uint address) => ((UInt128)Ipv4MappedPrefix << 32) | address;

    /// <summary>True when <paramref name="address"/> is ::ffff:a.b.c.d, that is, an IPv4 address.</summary>
    public static bool IsIpv4Mapped(UInt128 address) => address >> 32 == Ipv4MappedPrefix;

    /// <summary>The host-order IPv4 address of an IPv4-mapped value (the low 32 bits).</summary>
    public static uint ToIpv4(UInt128 address) => (uint)address;

    /// <summary>An <see cref="IPAddress"/> for the value: IPv4 when it is IPv4-mapped, IPv6 otherwise. Allocates.</summary>
    public static IPAddress ToIPAddress(UInt128 address)
    {
        if (IsIpv4Mapped(address))
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)address);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, address);
        return new IPAddress(v6);
    }

    /// <summary>The value for an IPv4 or IPv6 address (scope IDs are dropped).</summary>
    /// <exception cref="ArgumentException">The address is neither IPv4 nor IPv6.</exception>
    public static UInt128 FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        switch (address.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                address.TryWriteBytes(bytes, out _);
                return FromIpv4(BinaryPrimitives.ReadUInt32BigEndian(bytes));

            case AddressFamily.InterNetworkV6:
                address.TryWriteBytes(bytes, out _);
                return BinaryPrimitives.ReadUInt128BigEndian(bytes);

            default:
                ThrowHelper.ThrowUnknownAddressFamily(nameof(address));
                return default;
        }
    }
}
