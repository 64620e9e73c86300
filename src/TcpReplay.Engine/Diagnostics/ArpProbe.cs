using System.Diagnostics;
using System.Net.NetworkInformation;
using SharpPcap;
using SharpPcap.LibPcap;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// Asks, with ARP, which hosts on an Ethernet segment claim given addresses: a fake client address must have no
/// owner, an assistant or target exactly one.
/// </summary>
public static class ArpProbe
{
    // Requests go out up to three times (ARP is unreliable and a host may be busy), spread over the time limit.
    private const int Rounds = 3;
    private const int PollMilliseconds = 50;
    private const int Snaplen = 128;

    // Once every address has answered, a second owner of one of them has this long to answer too.
    private static readonly TimeSpan DuplicateGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Broadcasts an ARP request for each address on <paramref name="interfaceName"/> and collects the replies
    /// until every address has answered or <paramref name="timeout"/> has passed. An address nobody owns is simply
    /// absent from the result; an address two hosts claim appears twice.
    /// </summary>
    /// <param name="interfaceName">An Ethernet interface (or veth).</param>
    /// <param name="addresses">The addresses to ask about, host order.</param>
    /// <param name="timeout">How long to wait for replies in all.</param>
    /// <returns>One answer per (address, MAC) pair seen, in the order they arrived.</returns>
    /// <exception cref="NetworkInterfaceNotFoundException">There is no such interface.</exception>
    /// <exception cref="ArpProbeException">ARP cannot be sent or captured there (no libpcap, no CAP_NET_RAW, not Ethernet).</exception>
    public static IReadOnlyList<ArpAnswer> Probe(string interfaceName, IReadOnlyList<uint> addresses, TimeSpan timeout) =>
        Probe(interfaceName, addresses, timeout, null);

    /// <inheritdoc cref="Probe(string, IReadOnlyList{uint}, TimeSpan)"/>
    /// <param name="interfaceName">An Ethernet interface (or veth).</param>
    /// <param name="addresses">The addresses to ask about, host order.</param>
    /// <param name="timeout">How long to wait for replies in all.</param>
    /// <param name="networkNamespace">A namespace under /run/netns whose interface to use (needs CAP_SYS_ADMIN); null for this process's own.</param>
    /// <param name="cancellationToken">Ends the wait early, with <see cref="OperationCanceledException"/>.</param>
    public static IReadOnlyList<ArpAnswer> Probe(
        string interfaceName, IReadOnlyList<uint> addresses, TimeSpan timeout, string? networkNamespace, CancellationToken cancellationToken = default)
    {
        LinuxNames.ThrowIfInvalidInterfaceName(interfaceName, nameof(interfaceName));
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (addresses.Count == 0)
        {
            return [];
        }

        var facts = NetworkInterfaces.FindWithoutOffloads(interfaceName, networkNamespace, cancellationToken)
            ?? throw new NetworkInterfaceNotFoundException(interfaceName, networkNamespace);
        if (facts.LinkType != "ether" || facts.MacAddress is not { } mac || mac.GetAddressBytes().Length != 6)
        {
            throw new ArpProbeException(interfaceName, $"ARP needs an Ethernet interface; '{interfaceName}' has link type '{facts.LinkType}'.");
        }

        var requests = addresses.Distinct()
            .Select(target => new Request(target, ArpFrame.BuildRequest(mac, SenderAddressFor(target, facts.Addresses), target)))
            .ToArray();
        return networkNamespace is null
            ? Exchange(interfaceName, requests, timeout, cancellationToken)
            : NetworkNamespaceThread.Run(networkNamespace, () => Exchange(interfaceName, requests, timeout, cancellationToken));
    }

    /// <summary>The interface's own address on the target's network, else its first address, else 0 (an RFC 5227 probe).</summary>
    internal static uint SenderAddressFor(uint target, IReadOnlyList<IPv4Network> own)
    {
        foreach (var network in own)
        {
            if (network.Contains(target) && network.Address != target)
            {
                return network.Address;
            }
        }

        return own.Count > 0 && own[0].Address != target ? own[0].Address : 0;
    }

    private static List<ArpAnswer> Exchange(string interfaceName, Request[] requests, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var device = OpenDevice(interfaceName);
        var indexOf = new Dictionary<uint, int>(requests.Length);
        for (var i = 0; i < requests.Length; i++)
        {
            indexOf[requests[i].Target] = i;
        }

        var answers = new List<ArpAnswer>();
        var seen = new HashSet<(uint Address, PhysicalAddress Mac)>();
        var answered = new bool[requests.Length];
        var unanswered = requests.Length;
        var interval = timeout / Rounds;
        var clock = Stopwatch.StartNew();
        var nextRound = TimeSpan.Zero;
        var rounds = 0;
        TimeSpan? allAnsweredAt = null;
        while (clock.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (rounds < Rounds && clock.Elapsed >= nextRound && unanswered > 0)
            {
                for (var i = 0; i < requests.Length; i++)
                {
                    if (!answered[i])
                    {
                        Send(device, interfaceName, requests[i].Frame);
                    }
                }

                rounds++;
                nextRound = clock.Elapsed + interval;
            }

            var status = device.GetNextPacket(out var capture);
            if (status == GetPacketStatus.Error)
            {
                throw new ArpProbeException(interfaceName, $"Capture on '{interfaceName}' failed: {device.LastError}");
            }

            if (status == GetPacketStatus.PacketRead
                && ArpFrame.TryReadReply(capture.Data, out var sender, out var senderMac)
                && indexOf.TryGetValue(sender, out var index)
                && seen.Add((sender, senderMac)))
            {
                answers.Add(new ArpAnswer(sender, senderMac));
                if (!answered[index])
                {
                    answered[index] = true;
                    unanswered--;
                }
            }

            if (unanswered == 0)
            {
                allAnsweredAt ??= clock.Elapsed;
                if (clock.Elapsed - allAnsweredAt >= DuplicateGrace)
                {
                    break;
                }
            }
        }

        return answers;
    }

    private static LibPcapLiveDevice OpenDevice(string interfaceName)
    {
        LibPcapLiveDevice? device;
        try
        {
            // A fresh list, not LibPcapLiveDeviceList.Instance: that one is a process-wide snapshot, blind to interfaces
            // created after it and filled from whichever network namespace touched it first.
            device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == interfaceName);
        }
        catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException or PcapException)
        {
            throw new ArpProbeException(
                interfaceName, $"libpcap cannot list the interfaces ({exception.Message}); install it with '{LibPcapProbe.Remedy}'.", exception);
        }

        if (device is null)
        {
            throw new ArpProbeException(interfaceName, $"libpcap does not list '{interfaceName}' as a capture device.");
        }

        try
        {
            device.Open(new DeviceConfiguration
            {
                Mode = DeviceModes.None,
                ReadTimeout = PollMilliseconds,
                Snaplen = Snaplen,
                // Without immediate mode TPACKET_V3 holds replies until a block fills or its timer fires.
                Immediate = true,
            });
            device.Filter = "arp";
            return device;
        }
        catch (PcapException exception)
        {
            device.Dispose();
            throw new ArpProbeException(
                interfaceName, $"Cannot capture on '{interfaceName}': {exception.Message} Capturing needs root or CAP_NET_RAW.", exception);
        }
    }

    private static void Send(LibPcapLiveDevice device, string interfaceName, byte[] frame)
    {
        try
        {
            device.SendPacket(frame);
        }
        catch (PcapException exception)
        {
            throw new ArpProbeException(interfaceName, $"Cannot send on '{interfaceName}': {exception.Message}", exception);
        }
    }

    private readonly record struct Request(uint Target, byte[] Frame);
}
