namespace TcpReplay.Engine.Capture;

/// <summary>A set of TCP ports as a 64 Kibit bitmap: one load and a mask per lookup, no hashing on the hot path.</summary>
internal sealed class PortSet
{
    private readonly ulong[] _bits = new ulong[65536 / 64];

    public PortSet(IReadOnlyList<ushort> ports)
    {
        Ports = ports;
        foreach (var port in ports)
        {
            _bits[port >> 6] |= 1UL << (port & 63);
        }
    }

    /// <summary>The ports, sorted.</summary>
    public IReadOnlyList<ushort> Ports { get; }

    public bool Contains(ushort port) => (_bits[port >> 6] & (1UL << (port & 63))) != 0;

    /// <summary>"port 8080" or "ports 8080, 8443", for messages.</summary>
    public string Describe() => Ports.Count == 1 ? $"port {Ports[0]}" : $"ports {string.Join(", ", Ports)}";
}
