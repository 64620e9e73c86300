namespace TcpReplay.Engine.Packets;

/// <summary>
/// IANA "Assigned Internet Protocol Numbers" used by the parsers: the IPv4 Protocol field and the
/// IPv6 Next Header field share this numbering.
/// </summary>
public static class IpProtocolNumbers
{
    public const byte HopByHopOptions = 0;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Routing = 43;
    public const byte Fragment = 44;
    public const byte EncapsulatingSecurityPayload = 50;
    public const byte AuthenticationHeader = 51;
    public const byte NoNextHeader = 59;
    public const byte DestinationOptions = 60;
}
