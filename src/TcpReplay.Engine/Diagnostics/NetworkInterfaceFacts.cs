using System.Net.NetworkInformation;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>What the host says about one network interface.</summary>
/// <param name="Name">The kernel's name ("eth0").</param>
/// <param name="Index">The kernel's ifindex.</param>
/// <param name="IsUp">Administratively up (the UP flag of <c>ip link</c>); see <see cref="HasCarrier"/> for the link itself.</param>
/// <param name="Mtu">The MTU in bytes (of the IP packet, link header not counted).</param>
/// <param name="MacAddress">The link-layer address; null when the link has none (tun, ipip).</param>
/// <param name="Addresses">The IPv4 addresses, each with its prefix length (so <see cref="IPv4Network.Address"/> is the interface's own address).</param>
/// <param name="GenericReceiveOffload">GRO from <c>ethtool -k</c>; null when ethtool is missing or does not report it.</param>
/// <param name="LargeReceiveOffload">LRO from <c>ethtool -k</c>; null when unknown.</param>
/// <param name="TcpSegmentationOffload">TSO from <c>ethtool -k</c>; null when unknown.</param>
/// <remarks>
/// A capture sees what the kernel hands to the socket: with GRO or LRO on, one "packet" can hold several segments
/// that the wire carried separately, larger than <see cref="Mtu"/>.
/// </remarks>
public sealed record NetworkInterfaceFacts(
    string Name,
    int Index,
    bool IsUp,
    int Mtu,
    PhysicalAddress? MacAddress,
    IReadOnlyList<IPv4Network> Addresses,
    bool? GenericReceiveOffload,
    bool? LargeReceiveOffload,
    bool? TcpSegmentationOffload)
{
    /// <summary>The link is up too (LOWER_UP): a cable, or a veth whose peer is up.</summary>
    public bool HasCarrier { get; init; }

    /// <summary>
    /// TX checksum offload ("tx-checksumming" of <c>ethtool -k</c>); null when unknown. On, a capture of the host's own
    /// outgoing packets holds partial TCP checksums (the pseudo-header sum only), which the device fills in later.
    /// </summary>
    public bool? TransmitChecksumOffload { get; init; }

    /// <summary>ip's link type: "ether" (Ethernet and veth), "loopback", "none" (tun), ...</summary>
    public string LinkType { get; init; } = "unknown";
}
