namespace TcpReplay.Engine.Channel;

/// <summary>Why a packet could not be encoded as, or a received record is not, a valid response record.</summary>
public enum ResponseRecordStatus
{
    /// <summary>The packet or record is a well-formed IPv4/TCP header.</summary>
    Ok,

    /// <summary>Fewer bytes than the IPv4 and TCP headers claim (or than a record holds).</summary>
    TooShort,

    /// <summary>The IP version nibble is not 4.</summary>
    NotIPv4,

    /// <summary>The IPv4 header length (IHL) is below 5 words.</summary>
    BadIpHeaderLength,

    /// <summary>The IPv4 protocol is not TCP (6).</summary>
    NotTcp,

    /// <summary>A non-first IPv4 fragment: it carries no TCP header.</summary>
    Fragment,

    /// <summary>The TCP data offset is below 5 words.</summary>
    BadTcpHeaderLength,

    /// <summary>The IPv4 total length is smaller than the IPv4 and TCP headers together.</summary>
    BadTotalLength,
}
