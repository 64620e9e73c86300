using System.Buffers.Binary;

namespace TcpReplay.Engine.Packets;

public readonly ref partial struct Ipv4Header
{
    /// <summary>
    /// Writes a new source address and updates the header checksum incrementally (RFC 1624). The TCP
    /// checksum, whose pseudo-header also covers the address, is not touched: use
    /// <see cref="TcpPacket.RewriteIpv4Source"/> for that.
    /// </summary>
    /// <param name="address">The address as a host-order number (a.b.c.d is 0xAABBCCDD).</param>
    public void SetSourceAddress(uint address) => ReplaceUInt32(Ipv4Fields.SourceAddressPosition, address);

    /// <summary>
    /// Writes a new destination address and updates the header checksum incrementally; see
    /// <see cref="SetSourceAddress"/> about the TCP checksum.
    /// </summary>
    public void SetDestinationAddress(uint address) => ReplaceUInt32(Ipv4Fields.DestinationAddressPosition, address);

    /// <summary>Writes a new time to live and updates the header checksum incrementally.</summary>
    public void SetTtl(byte ttl)
    {
        // TTL is the high byte of the 16-bit word it shares with Protocol.
        Span<byte> word = _bytes.Slice(Ipv4Fields.TtlPosition, 2);
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(word);
        word[0] = ttl;
        ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(word);
        AdjustChecksum(oldWord, newWord);
    }

    /// <summary>Recomputes the header checksum over the whole header, options included.</summary>
    public void UpdateHeaderChecksum()
    {
        Span<byte> checksum = _bytes.Slice(Ipv4Fields.ChecksumPosition, Ipv4Fields.ChecksumLength);
        checksum.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(checksum, InternetChecksum.Compute(Header));
    }

    private void ReplaceUInt32(int position, uint value)
    {
        Span<byte> field = _bytes.Slice(position, 4);
        uint oldValue = BinaryPrimitives.ReadUInt32BigEndian(field);
        BinaryPrimitives.WriteUInt32BigEndian(field, value);
        Span<byte> checksum = _bytes.Slice(Ipv4Fields.ChecksumPosition, Ipv4Fields.ChecksumLength);
        BinaryPrimitives.WriteUInt16BigEndian(checksum, InternetChecksum.Update32(BinaryPrimitives.ReadUInt16BigEndian(checksum), oldValue, value));
    }

    private void AdjustChecksum(ushort oldWord, ushort newWord)
    {
        Span<byte> checksum = _bytes.Slice(Ipv4Fields.ChecksumPosition, Ipv4Fields.ChecksumLength);
        BinaryPrimitives.WriteUInt16BigEndian(checksum, InternetChecksum.Update16(BinaryPrimitives.ReadUInt16BigEndian(checksum), oldWord, newWord));
    }
}
