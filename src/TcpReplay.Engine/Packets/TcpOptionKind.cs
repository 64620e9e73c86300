namespace TcpReplay.Engine.Packets;

/// <summary>TCP option kinds (IANA "TCP Option Kind Numbers"); other values are valid and pass through as numbers.</summary>
public enum TcpOptionKind : byte
{
    EndOfOptionList = 0,
    NoOperation = 1,
    MaximumSegmentSize = 2,
    WindowScale = 3,
    SackPermitted = 4,
    Sack = 5,
    Timestamps = 8,
    Md5Signature = 19,
    UserTimeout = 28,
    TcpAuthentication = 29,
    Multipath = 30,
    FastOpen = 34,
}
