using System.Buffers.Binary;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using SharpPcap;
using SharpPcap.LibPcap;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Transmit;

/// <summary>
/// Sends IPv4 packets by injecting frames at the datalink of one interface with libpcap (pcap_inject), like
/// tcpcopy's <c>--pcap-send</c>: for hosts where raw IP sends are filtered or routed elsewhere.
/// </summary>
/// <remarks>
/// <para>On an Ethernet interface each packet gets a 14-byte header: the interface's MAC as source and, as destination,
/// the MAC of the next hop toward the packet's destination, found through the kernel (route, then neighbour table;
/// see <see cref="NeighbourResolver"/>) on the first packet to that destination and cached for
/// <see cref="NeighbourLifetime"/>. That first send blocks while the route and neighbour are looked up (a few ms;
/// up to about 1 s when the neighbour has to be resolved by an ICMP echo). A destination that cannot be resolved returns
/// EHOSTUNREACH/ENETUNREACH and is not retried for <see cref="FailureRetryInterval"/>.</para>
/// <para>On a raw-IP interface (tun) the packet is injected as it is.</para>
/// <para>Sends are serialized (one frame buffer); a send never allocates once its destination is cached. The
/// route command and the echo run in the network namespace of the calling thread.</para>
/// </remarks>
public sealed class PcapSender : IPacketSender
{
    private const int EthernetHeaderLength = 14;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const int MinimumIpv4Length = 20;
    private const int MaximumIpv4Length = 65535;

    // A filter that matches nothing: the handle is for sending, and its capture ring should not fill.
    private const string MatchNothing = "less 0";

    private readonly LibPcapLiveDevice _device;
    private readonly NeighbourResolver _resolver;
    private readonly Dictionary<uint, Neighbour> _neighbours = [];
    private readonly byte[] _frame;
    private readonly byte[] _sourceMac = new byte[6];
    private readonly bool _ethernet;
    private readonly object _sendLock = new();
    private bool _disposed;
    private long _sent;
    private long _failed;

    /// <summary>Opens <paramref name="interfaceName"/> for injection (in the network namespace of the calling thread).</summary>
    /// <exception cref="CaptureException">libpcap missing, no such interface, not permitted, or a link type that cannot be framed.</exception>
    public PcapSender(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        if (interfaceName == "any")
        {
            throw new CaptureException(CaptureErrorKind.OpenFailed, "libpcap cannot send on \"any\": name the interface toward the target (see `ip route get <target>`).");
        }

        InterfaceName = interfaceName;
        _device = PcapDeviceOpener.Open(interfaceName, new DeviceConfiguration { Snaplen = 128, ReadTimeout = 100, BufferSize = 1 << 16 });
        try
        {
            PcapDeviceOpener.SetFilter(_device, MatchNothing);
            var dlt = (int)_device.LinkType;
            LinkHeader.TryFromDatalink(dlt, out var linkType);
            if (linkType is not (LinkType.Ethernet or LinkType.Raw or LinkType.Ipv4))
            {
                throw new CaptureException(
                    CaptureErrorKind.OpenFailed,
                    $"Cannot frame packets for '{interfaceName}' (link type {dlt}): send on an Ethernet or raw-IP interface.");
            }

            LinkType = linkType;
            _ethernet = linkType == LinkType.Ethernet;
            if (_ethernet)
            {
                ReadInterfaceMac(interfaceName, _sourceMac);
            }
        }
        catch
        {
            _device.Close();
            throw;
        }

        _resolver = new NeighbourResolver(interfaceName);
        _frame = new byte[EthernetHeaderLength + MaximumIpv4Length];
        _sourceMac.CopyTo(_frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(_frame.AsSpan(12), EtherTypeIpv4);
    }

    /// <summary>The interface injected on.</summary>
    public string InterfaceName { get; }

    /// <summary>The link type of the interface: Ethernet (framed here) or raw IP.</summary>
    public LinkType LinkType { get; }

    /// <summary>The source MAC of the frames (all zero on a raw-IP interface).</summary>
    public PhysicalAddress SourceAddress => new((byte[])_sourceMac.Clone());

    /// <summary>How long a resolved next-hop MAC is used before it is looked up again.</summary>
    public TimeSpan NeighbourLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a destination that could not be resolved fails at once before it is tried again.</summary>
    public TimeSpan FailureRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Packets injected.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Sends that returned an errno.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        var result = SendCore(ipPacket, destination);
        if (result == 0)
        {
            Interlocked.Increment(ref _sent);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }

        return result;
    }

    /// <summary>Closes the pcap handle; later sends return EBADF. Never throws.</summary>
    public void Dispose()
    {
        lock (_sendLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _device.Close();
        }
    }

    private static void ReadInterfaceMac(string interfaceName, byte[] mac)
    {
        // getifaddrs/netlink answer for the calling thread's namespace (unlike /sys/class/net after setns).
        foreach (var candidate in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (candidate.Name == interfaceName)
            {
                var bytes = candidate.GetPhysicalAddress().GetAddressBytes();
                if (bytes.Length == 6)
                {
                    bytes.CopyTo(mac, 0);
                    return;
                }

                throw new CaptureException(CaptureErrorKind.OpenFailed, $"Interface '{interfaceName}' has no Ethernet address.");
            }
        }

        throw CaptureException.InterfaceNotFound(interfaceName);
    }

    private unsafe int SendCore(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        if (ipPacket.Length < MinimumIpv4Length)
        {
            return LinuxErrno.EINVAL;
        }

        if (ipPacket.Length > MaximumIpv4Length)
        {
            return LinuxErrno.EMSGSIZE;
        }

        lock (_sendLock)
        {
            if (_disposed)
            {
                return LinuxErrno.EBADF;
            }

            int offset;
            if (_ethernet)
            {
                var errno = WriteNextHop(destination);
                if (errno != 0)
                {
                    return errno;
                }

                offset = EthernetHeaderLength;
            }
            else
            {
                offset = 0;
            }

            ipPacket.CopyTo(_frame.AsSpan(offset));
            fixed (byte* frame = _frame)
            {
                if (LibPcapNative.pcap_inject(_device.Handle, frame, (nuint)(offset + ipPacket.Length)) >= 0)
                {
                    return 0;
                }
            }

            var error = Marshal.GetLastPInvokeError();
            return error != 0 ? error : LinuxErrno.EIO;
        }
    }

    private int WriteNextHop(uint destination)
    {
        var now = Environment.TickCount64;
        if (!_neighbours.TryGetValue(destination, out var neighbour) || now >= neighbour.ExpiresAt)
        {
            Span<byte> mac = stackalloc byte[6];
            var errno = _resolver.Resolve(destination, mac);

            // Lifetimes count from the end of the lookup, which can take a second (the echo).
            var resolved = Environment.TickCount64;
            neighbour = errno == 0
                ? new Neighbour(ReadMac(mac), 0, resolved + (long)NeighbourLifetime.TotalMilliseconds)
                : new Neighbour(0, errno, resolved + (long)FailureRetryInterval.TotalMilliseconds);
            _neighbours[destination] = neighbour;
        }

        if (neighbour.Errno != 0)
        {
            return neighbour.Errno;
        }

        // The MAC is kept in the low 48 bits of a ulong, most significant byte first on the wire.
        BinaryPrimitives.WriteUInt16BigEndian(_frame, (ushort)(neighbour.Mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(_frame.AsSpan(2), (uint)neighbour.Mac);
        return 0;
    }

    private static ulong ReadMac(ReadOnlySpan<byte> mac) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(mac) << 32) | BinaryPrimitives.ReadUInt32BigEndian(mac[2..]);

    private readonly record struct Neighbour(ulong Mac, int Errno, long ExpiresAt);
}
