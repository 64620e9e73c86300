namespace TcpReplay.Engine.Packets;

// Byte positions in the IPv6 fixed header (RFC 8200 §3) and its extension headers (§4).
internal static class Ipv6Fields
{
    public const int VersionTrafficClassFlowLabelPosition = 0;
    public const int VersionTrafficClassFlowLabelLength = 4;
    public const int PayloadLengthPosition = VersionTrafficClassFlowLabelPosition + VersionTrafficClassFlowLabelLength;
    public const int PayloadLengthLength = 2;
    public const int NextHeaderPosition = PayloadLengthPosition + PayloadLengthLength;
    public const int NextHeaderLength = 1;
    public const int HopLimitPosition = NextHeaderPosition + NextHeaderLength;
    public const int HopLimitLength = 1;
    public const int SourceAddressPosition = HopLimitPosition + HopLimitLength;
    public const int AddressLength = 16;
    public const int DestinationAddressPosition = SourceAddressPosition + AddressLength;
    public const int HeaderLength = DestinationAddressPosition + AddressLength;

    public const int Version = 6;

    // Every extension header starts with Next Header, then (except Fragment) a length byte.
    public const int ExtensionNextHeaderPosition = 0;
    public const int ExtensionLengthPosition = 1;
    public const int ExtensionMinimumLength = 2;

    // Hop-by-Hop, Routing and Destination Options: length in 8-octet units, not counting the first 8.
    public const int ExtensionLengthUnit = 8;

    // Authentication Header (RFC 4302 §2.2): length in 4-octet units, minus 2.
    public const int AuthenticationHeaderLengthUnit = 4;
    public const int AuthenticationHeaderLengthBias = 2;

    // Fragment header (RFC 8200 §4.5): fixed 8 bytes; offset in 8-octet units in the top 13 bits.
    public const int FragmentOffsetAndFlagsPosition = 2;
    public const int FragmentHeaderLength = 8;
    public const ushort FragmentOffsetMask = 0xFFF8;
    public const ushort MoreFragmentsMask = 0x0001;
}
