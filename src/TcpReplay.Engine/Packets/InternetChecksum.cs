using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Packets;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's-complement sum of the
/// data taken as big-endian 16-bit words, and its incremental update (RFC 1624).
/// </summary>
/// <remarks>
/// All <see cref="ushort"/> values in and out are host-order numbers of the big-endian words on the
/// wire (write them with <see cref="BinaryPrimitives.WriteUInt16BigEndian"/>). Nothing here allocates
/// or keeps a reference to the data.
/// </remarks>
public static class InternetChecksum
{
    private const byte TcpProtocol = IpProtocolNumbers.Tcp;

    /// <summary>
    /// Adds <paramref name="data"/> to a running sum of big-endian 16-bit words; an odd last byte is
    /// padded with a zero byte on the right (RFC 1071 §4.1). The result is not folded: pass it to
    /// another <see cref="Accumulate"/> call or to <see cref="Fold"/>.
    /// </summary>
    /// <remarks>
    /// Each call pads its own odd tail, so a sum split over several calls equals the sum of the
    /// concatenation only if every part but the last has an even length. The value added per call is
    /// at most 0xFFFF, so a running sum cannot overflow in any practical number of calls.
    /// </remarks>
    public static ulong Accumulate(ulong sum, ReadOnlySpan<byte> data)
    {
        // The one's-complement sum is byte-order independent (RFC 1071 §2(B)): add native-order
        // words, then swap the folded result once. 2^16 ≡ 1 (mod 0xFFFF), so 32-bit halves of
        // 8-byte reads can be added into a 64-bit accumulator without end-around carries; the
        // accumulator cannot overflow for any span length (2^31 / 32 iterations × 2^35 < 2^64).
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        ulong s0 = 0;
        ulong s1 = 0;

        while (length - i >= 32)
        {
            ulong a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            ulong b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 8));
            ulong c = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 16));
            ulong d = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 24));
            s0 += (a & 0xFFFF_FFFF) + (a >> 32) + (b & 0xFFFF_FFFF) + (b >> 32);
            s1 += (c & 0xFFFF_FFFF) + (c >> 32) + (d & 0xFFFF_FFFF) + (d >> 32);
            i += 32;
        }

        while (length - i >= 8)
        {
            ulong a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            s0 += (a & 0xFFFF_FFFF) + (a >> 32);
            i += 8;
        }

        if (length - i >= 4)
        {
            s1 += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
            i += 4;
        }

        if (length - i >= 2)
        {
            s0 += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, i));
            i += 2;
        }

        if (i < length)
        {
            // The odd byte is the high byte of a big-endian word padded with zero.
            byte last = Unsafe.Add(ref start, i);
            s1 += BitConverter.IsLittleEndian ? last : (uint)last << 8;
        }

        ushort native = FoldToUInt16(s0, s1);
        return sum + (BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(native) : native);
    }

    /// <summary>
    /// Folds a sum from <see cref="Accumulate"/> to 16 bits with end-around carries and complements
    /// it: the value to store in a checksum field. Over data that includes a correct checksum field
    /// the result is 0.
    /// </summary>
    public static ushort Fold(ulong sum)
    {
        ulong folded = (sum & 0xFFFF_FFFF) + (sum >> 32);
        folded = (folded & 0xFFFF) + (folded >> 16);
        folded = (folded & 0xFFFF) + (folded >> 16);
        folded = (folded & 0xFFFF) + (folded >> 16);
        return (ushort)~folded;
    }

    /// <summary>The checksum of <paramref name="data"/> alone (for example an IPv4 header with its checksum field zeroed).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Fold(Accumulate(0, data));

    /// <summary>
    /// The TCP checksum over the IPv4 pseudo-header (RFC 9293 §3.1) and <paramref name="tcpSegment"/>
    /// (TCP header and the whole payload). The checksum field inside the segment is summed as it is:
    /// zero it first to compute the value to store, or leave it to verify (a correct segment gives 0).
    /// </summary>
    /// <param name="source">IPv4 source address as a host-order number (a.b.c.d is 0xAABBCCDD).</param>
    /// <param name="destination">IPv4 destination address, as <paramref name="source"/>.</param>
    /// <param name="tcpSegment">The TCP header and payload; its length is the pseudo-header's TCP length.</param>
    public static ushort ComputeTcpIpv4(uint source, uint destination, ReadOnlySpan<byte> tcpSegment)
    {
        ulong sum = (source >> 16) + (source & 0xFFFF)
            + (destination >> 16) + (destination & 0xFFFF)
            + TcpProtocol + (ulong)tcpSegment.Length;
        return Fold(Accumulate(sum, tcpSegment));
    }

    /// <summary>
    /// The TCP checksum over the IPv6 pseudo-header (RFC 8200 §8.1) and <paramref name="tcpSegment"/>;
    /// the checksum field is summed as it is (see <see cref="ComputeTcpIpv4"/>).
    /// </summary>
    /// <param name="source16">The 16 source address bytes, network order.</param>
    /// <param name="destination16">The 16 destination address bytes, network order. RFC 8200 asks for the
    /// final destination when a Routing header is present; the caller chooses which address to pass.</param>
    /// <param name="tcpSegment">The TCP header and payload; its length is the pseudo-header's upper-layer length.</param>
    /// <exception cref="ArgumentException">An address span is not 16 bytes long.</exception>
    public static ushort ComputeTcpIpv6(ReadOnlySpan<byte> source16, ReadOnlySpan<byte> destination16, ReadOnlySpan<byte> tcpSegment)
    {
        if (source16.Length != 16)
        {
            ThrowHelper.ThrowAddressLength(nameof(source16));
        }

        if (destination16.Length != 16)
        {
            ThrowHelper.ThrowAddressLength(nameof(destination16));
        }

        uint length = (uint)tcpSegment.Length;
        ulong sum = Accumulate(Accumulate(0, source16), destination16)
            + (length >> 16) + (length & 0xFFFF) + TcpProtocol;
        return Fold(Accumulate(sum, tcpSegment));
    }

    /// <summary>
    /// Updates a stored checksum after one 16-bit word of the covered data changed from
    /// <paramref name="oldValue"/> to <paramref name="newValue"/>: RFC 1624 eqn. 3,
    /// HC' = ~(~HC + ~m + m'), which, unlike eqn. 2, never yields 0xFFFF where a full recompute gives 0.
    /// </summary>
    /// <remarks>The word must start at an even offset from the start of the checksummed data; for an odd
    /// offset pass both values byte-swapped.</remarks>
    public static ushort Update16(ushort checksum, ushort oldValue, ushort newValue)
    {
        ulong sum = (ulong)(ushort)~checksum + (ushort)~oldValue + newValue;
        return Fold(sum);
    }

    /// <summary>
    /// <see cref="Update16"/> for an aligned 32-bit field (two words, for example an IPv4 address or a
    /// TCP sequence number), values as host-order numbers of the big-endian field.
    /// </summary>
    public static ushort Update32(ushort checksum, uint oldValue, uint newValue)
    {
        uint notOld = ~oldValue;
        ulong sum = (ulong)(ushort)~checksum
            + (notOld >> 16) + (notOld & 0xFFFF)
            + (newValue >> 16) + (newValue & 0xFFFF);
        return Fold(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort FoldToUInt16(ulong s0, ulong s1)
    {
        // s0 and s1 are each below 2^63, so their sum cannot wrap.
        ulong sum = s0 + s1;
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }
}
