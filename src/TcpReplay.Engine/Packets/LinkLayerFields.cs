namespace TcpReplay.Engine.Packets;

// Ethernet II (IEEE 802.3 clause 3) with 802.1Q / 802.1ad tags.
internal static class EthernetFields
{
    public const int DestinationAddressPosition = 0;
    public const int MacAddressLength = 6;
    public const int SourceAddressPosition = DestinationAddressPosition + MacAddressLength;
    public const int EtherTypePosition = SourceAddressPosition + MacAddressLength;
    public const int EtherTypeLength = 2;
    public const int HeaderLength = EtherTypePosition + EtherTypeLength;

    // A VLAN tag is TCI (2 bytes) then the inner EtherType; the tag's own TPID is the outer EtherType.
    public const int VlanTagLength = 4;
    public const int VlanInnerEtherTypePosition = 2;
}

// Linux cooked capture v1: https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
internal static class LinuxSllFields
{
    public const int PacketTypePosition = 0;
    public const int ArphrdTypePosition = 2;
    public const int AddressLengthPosition = 4;
    public const int AddressPosition = 6;
    public const int AddressLength = 8;
    public const int ProtocolTypePosition = AddressPosition + AddressLength;
    public const int ProtocolTypeLength = 2;
    public const int HeaderLength = ProtocolTypePosition + ProtocolTypeLength;
}

// Linux cooked capture v2: https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html
internal static class LinuxSll2Fields
{
    public const int ProtocolTypePosition = 0;
    public const int ProtocolTypeLength = 2;
    public const int ReservedPosition = ProtocolTypePosition + ProtocolTypeLength;
    public const int InterfaceIndexPosition = ReservedPosition + 2;
    public const int ArphrdTypePosition = InterfaceIndexPosition + 4;
    public const int PacketTypePosition = ArphrdTypePosition + 2;
    public const int AddressLengthPosition = PacketTypePosition + 1;
    public const int AddressPosition = AddressLengthPosition + 1;
    public const int AddressLength = 8;
    public const int HeaderLength = AddressPosition + AddressLength;
}

// BSD loopback (LINKTYPE_NULL, host order of the writer) and OpenBSD loopback (LINKTYPE_LOOP, network order).
internal static class LoopbackFields
{
    public const int AddressFamilyPosition = 0;
    public const int HeaderLength = 4;

    public const uint AfInet = 2;

    // AF_INET6 differs between BSDs: 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD), 30 (macOS).
    public const uint AfInet6Bsd = 24;
    public const uint AfInet6FreeBsd = 28;
    public const uint AfInet6Darwin = 30;
}

internal static class EtherTypes
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Ipv6 = 0x86DD;
    public const ushort Vlan = 0x8100;
    public const ushort ProviderBridging = 0x88A8;

    // Pre-standard Q-in-Q TPID still emitted by some switches.
    public const ushort QinQLegacy = 0x9100;
}
