using System.Globalization;
using System.Text;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// The rule <see cref="AutoCapture"/> applies to its probe counts, apart from the threads so it can be tested alone.
/// </summary>
internal static class CaptureProbe
{
    /// <summary>
    /// Decides from per-port counts of client packets seen by each layer over the same time. A port "reaches the
    /// IP layer" when the raw socket saw at least 80% of what the datalink saw (the two threads read the same packet
    /// at slightly different times); the raw socket is kept only if every port the datalink saw reaches it.
    /// </summary>
    /// <param name="ports">The ports, in the order of the counts.</param>
    /// <param name="datalink">Per port: packets libpcap saw.</param>
    /// <param name="ipLayer">Per port: packets the raw socket saw.</param>
    /// <param name="interfaceName">The libpcap interface, for the reason text.</param>
    public static CaptureDecision Decide(IReadOnlyList<ushort> ports, ReadOnlySpan<long> datalink, ReadOnlySpan<long> ipLayer, string interfaceName)
    {
        long datalinkTotal = 0, ipTotal = 0;
        long missedSeen = 0, missedOf = 0, seen = 0, of = 0;
        var missedPorts = new List<ushort>();
        var seenPorts = new List<ushort>();
        for (var i = 0; i < ports.Count; i++)
        {
            datalinkTotal += datalink[i];
            ipTotal += ipLayer[i];
            if (datalink[i] == 0)
            {
                continue;
            }

            // Traffic on other interfaces (loopback) can make the IP layer see more than this interface; cap it.
            var alsoSeen = Math.Min(ipLayer[i], datalink[i]);
            seen += alsoSeen;
            of += datalink[i];
            seenPorts.Add(ports[i]);
            if (alsoSeen * 10 < datalink[i] * 8)
            {
                missedPorts.Add(ports[i]);
                missedSeen += alsoSeen;
                missedOf += datalink[i];
            }
        }

        if (missedPorts.Count == 0)
        {
            return new CaptureDecision(
                CaptureLayer.IpLayer,
                $"the IP layer saw {seen} of {of} client packets for {DescribePorts(seenPorts)} that the datalink saw: "
                + $"the service is delivered locally; using the raw IPv4 socket and closing libpcap on {interfaceName}",
                ipTotal,
                datalinkTotal);
        }

        var cause = missedSeen == 0
            ? "the service is reached by forwarding (DNAT to a container, as Docker publishes ports), which never delivers to raw sockets"
            : "part of that traffic is forwarded (DNAT to a container, as Docker publishes ports) or dropped before local delivery, and raw sockets miss it";
        return new CaptureDecision(
            CaptureLayer.Datalink,
            $"the IP layer saw {missedSeen} of {missedOf} client packets for {DescribePorts(missedPorts)} that the datalink saw: "
            + $"{cause}; using libpcap on {interfaceName}",
            ipTotal,
            datalinkTotal);
    }

    private static string DescribePorts(List<ushort> ports)
    {
        var text = new StringBuilder(ports.Count == 1 ? "port " : "ports ");
        for (var i = 0; i < ports.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(ports[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
