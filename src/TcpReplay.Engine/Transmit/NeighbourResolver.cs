using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Transmit;

/// <summary>
/// Finds the Ethernet address of the next hop toward a destination the way the kernel would: the route
/// (<c>ip -j route get DST</c>), then the neighbour table (/proc/net/arp of the calling thread's network
/// namespace); when the neighbour is not known yet, one ICMP echo to the next hop, waited for at most 1 s (as
/// <c>ping -c 1 -W 1</c>), makes the kernel resolve it.
/// </summary>
/// <remarks>
/// A destination the kernel routes through another interface is unreachable here (ENETUNREACH): forcing the
/// interface (<c>oif</c>) would make the kernel call any destination on-link, and the frame would go to a MAC that
/// does not forward it. Slow (runs commands): callers cache per destination.
/// </remarks>
internal sealed class NeighbourResolver
{
    // ATF_COM: the entry is complete (linux/if_arp.h).
    private const int ArpFlagComplete = 0x2;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(3);

    // As `ping -c 1 -W 1`: a neighbour that exists answers ARP within milliseconds; an absent one costs this once per retry interval.
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(1);

    private readonly string _interfaceName;

    public NeighbourResolver(string interfaceName)
    {
        _interfaceName = interfaceName;
    }

    /// <summary>Resolves the MAC of the next hop toward <paramref name="destination"/>; 0 or an errno.</summary>
    /// <param name="destination">Host-order number of the wire address.</param>
    /// <param name="mac">Six bytes that receive the address.</param>
    public int Resolve(uint destination, Span<byte> mac)
    {
        var destinationText = CaptureFilters.FormatAddress(destination);
        var (exitCode, output) = BoundedProcess.Run("ip", ["-j", "route", "get", destinationText], CommandTimeout);
        uint nextHop;
        if (exitCode == 0)
        {
            if (!TryParseRouteGet(output, out nextHop, out var device) || device != _interfaceName)
            {
                return LinuxErrno.ENETUNREACH;
            }
        }
        else if (exitCode == -1)
        {
            // No `ip` (or it hung): take the destination as on-link, the common case of a target on the segment.
            nextHop = destination;
        }
        else
        {
            // "RTNETLINK answers: Network is unreachable": no route to the destination through this interface.
            return LinuxErrno.ENETUNREACH;
        }

        if (TryReadNeighbour(nextHop, mac))
        {
            return 0;
        }

        // An unknown neighbour is resolved by the kernel on the first packet to it; one echo request is that packet.
        // .NET's Ping opens its ICMP socket on this thread (so in its namespace) and needs no ping binary.
        ProvokeResolution(nextHop);
        return TryReadNeighbour(nextHop, mac) ? 0 : LinuxErrno.EHOSTUNREACH;
    }

    /// <summary>The next hop of an <c>ip -j route get</c> answer (its gateway, else its destination) and its device.</summary>
    internal static bool TryParseRouteGet(string json, out uint nextHop, out string? device)
    {
        nextHop = 0;
        device = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                return false;
            }

            var route = document.RootElement[0];
            device = route.TryGetProperty("dev", out var dev) && dev.ValueKind == JsonValueKind.String ? dev.GetString() : null;
            var hop = route.TryGetProperty("gateway", out var gateway) ? gateway.GetString()
                : route.TryGetProperty("dst", out var dst) ? dst.GetString()
                : null;
            return TryParseIpv4(hop, out nextHop);
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Finds a complete entry for <paramref name="address"/> on <paramref name="interfaceName"/> in /proc/net/arp lines.</summary>
    internal static bool TryFindNeighbour(IEnumerable<string> arpLines, uint address, string interfaceName, Span<byte> mac)
    {
        var wanted = CaptureFilters.FormatAddress(address);
        foreach (var line in arpLines)
        {
            // IP address       HW type     Flags       HW address            Mask     Device
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[0] != wanted || fields[5] != interfaceName)
            {
                continue;
            }

            if (!fields[2].StartsWith("0x", StringComparison.Ordinal)
                || !int.TryParse(fields[2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
                || (flags & ArpFlagComplete) == 0)
            {
                return false;
            }

            return TryParseMac(fields[3], mac);
        }

        return false;
    }

    internal static bool TryParseMac(string text, Span<byte> mac)
    {
        var parts = text.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }

        for (var i = 0; i < 6; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out mac[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseIpv4(string? text, out uint address)
    {
        address = 0;
        if (text is null || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        parsed.TryWriteBytes(bytes, out _);
        address = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    private static void ProvokeResolution(uint nextHop)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, nextHop);
        try
        {
            using var ping = new Ping();
            ping.Send(new IPAddress(bytes), (int)EchoTimeout.TotalMilliseconds);
        }
        catch (PingException)
        {
            // No answer or no ICMP socket: the neighbour table says what came of it.
        }
    }

    private bool TryReadNeighbour(uint address, Span<byte> mac)
    {
        try
        {
            // thread-self: the neighbour table of the calling thread's network namespace (/proc/net is the process's).
            return TryFindNeighbour(File.ReadLines("/proc/thread-self/net/arp"), address, _interfaceName, mac);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
