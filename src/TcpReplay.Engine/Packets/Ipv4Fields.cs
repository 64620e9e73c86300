namespace TcpReplay.Engine.Packets;

// Byte positions in the IPv4 header (RFC 791 §3.1), each derived from the field before it.
internal static class Ipv4Fields
{
    public const int VersionAndHeaderLengthPosition = 0;
    public const int VersionAndHeaderLengthLength = 1;
    public const int DifferentiatedServicesPosition = VersionAndHeaderLengthPosition + VersionAndHeaderLengthLength;
    public const int DifferentiatedServicesLength = 1;
    public const int TotalLengthPosition = DifferentiatedServicesPosition + DifferentiatedServicesLength;
    public const int TotalLengthLength = 2;
    public const int IdentificationPosition = TotalLengthPosition + TotalLengthLength;
    public const int IdentificationLength = 2;
    public const int FlagsAndFragmentOffsetPosition = IdentificationPosition + IdentificationLength;
    public const int FlagsAndFragmentOffsetLength = 2;
    public const int TtlPosition = FlagsAndFragmentOffsetPosition + FlagsAndFragmentOffsetLength;
    public const int TtlLength = 1;
    public const int ProtocolPosition = TtlPosition + TtlLength;
    public const int ProtocolLength = 1;
    public const int ChecksumPosition = ProtocolPosition + ProtocolLength;
    public const int ChecksumLength = 2;
    public const int SourceAddressPosition = ChecksumPosition + ChecksumLength;
    public const int AddressLength = 4;
    public const int DestinationAddressPosition = SourceAddressPosition + AddressLength;
    public const int MinimumHeaderLength = DestinationAddressPosition + AddressLength;

    public const int Version = 4;

    // IHL counts 32-bit words.
    public const int HeaderLengthUnit = 4;
    public const int HeaderLengthMask = 0x0F;

    public const ushort DontFragmentMask = 0x4000;
    public const ushort MoreFragmentsMask = 0x2000;
    public const ushort FragmentOffsetMask = 0x1FFF;

    // The fragment offset counts 8-byte blocks.
    public const int FragmentOffsetUnit = 8;
}
