namespace TcpReplay.Engine.Packets;

public readonly ref partial struct TcpPacket
{
    /// <summary>
    /// Rewrites the IPv4 destination address and the TCP destination port in place, updating the IPv4
    /// header checksum and the TCP checksum (whose pseudo-header covers the address) incrementally.
    /// </summary>
    /// <param name="address">The new address as a host-order number (a.b.c.d is 0xAABBCCDD).</param>
    /// <param name="port">The new port.</param>
    /// <exception cref="InvalidOperationException">The packet is IPv6.</exception>
    public void RewriteIpv4Destination(uint address, ushort port)
    {
        if (_ipVersion != Ipv4Fields.Version)
        {
            ThrowHelper.ThrowNotIpv4();
        }

        uint oldAddress = _ipv4.DestinationAddress;
        _ipv4.SetDestinationAddress(address);
        _tcp.AdjustChecksumForPseudoHeader(oldAddress, address);
        _tcp.SetDestinationPort(port);
    }

    /// <summary>
    /// Rewrites the IPv4 source address and the TCP source port in place; see <see cref="RewriteIpv4Destination"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The packet is IPv6.</exception>
    public void RewriteIpv4Source(uint address, ushort port)
    {
        if (_ipVersion != Ipv4Fields.Version)
        {
            ThrowHelper.ThrowNotIpv4();
        }

        uint oldAddress = _ipv4.SourceAddress;
        _ipv4.SetSourceAddress(address);
        _tcp.AdjustChecksumForPseudoHeader(oldAddress, address);
        _tcp.SetSourcePort(port);
    }

    /// <summary>
    /// Checks the IPv4 header checksum (for IPv4) and the TCP checksum over the pseudo-header and the
    /// whole segment. A truncated packet cannot be checked and gives false.
    /// </summary>
    /// <remarks>
    /// Captures taken on the sending host usually hold a partial TCP checksum because the NIC (or, on
    /// loopback, nobody) fills it in later: expect false there even for good traffic.
    /// For IPv6 the pseudo-header uses the Destination Address field, which is the final destination
    /// unless a Routing header still has segments left.
    /// </remarks>
    public bool VerifyChecksums()
    {
        if (IsTruncated)
        {
            return false;
        }

        if (_ipVersion == Ipv4Fields.Version)
        {
            return _ipv4.IsHeaderChecksumValid
                && InternetChecksum.ComputeTcpIpv4(_ipv4.SourceAddress, _ipv4.DestinationAddress, _tcp.Segment) == 0;
        }

        return InternetChecksum.ComputeTcpIpv6(_ipv6.SourceAddress, _ipv6.DestinationAddress, _tcp.Segment) == 0;
    }

    /// <summary>
    /// Recomputes the IPv4 header checksum (for IPv4) and, when the whole segment was captured, the TCP
    /// checksum. A truncated packet keeps its TCP checksum: the missing payload cannot be summed.
    /// </summary>
    public void ComputeChecksums()
    {
        if (_ipVersion == Ipv4Fields.Version)
        {
            _ipv4.UpdateHeaderChecksum();
        }

        if (IsTruncated)
        {
            return;
        }

        _tcp.SetChecksum(0);
        ushort checksum = _ipVersion == Ipv4Fields.Version
            ? InternetChecksum.ComputeTcpIpv4(_ipv4.SourceAddress, _ipv4.DestinationAddress, _tcp.Segment)
            : InternetChecksum.ComputeTcpIpv6(_ipv6.SourceAddress, _ipv6.DestinationAddress, _tcp.Segment);
        _tcp.SetChecksum(checksum);
    }
}
