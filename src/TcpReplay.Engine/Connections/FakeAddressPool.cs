using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// Chooses the fake client address for a client: the same client address always maps to the same fake address
/// (so the target sees one client per real client), the client's port is kept, and a fake endpoint already in use
/// by another live copy moves to the next address.
/// </summary>
internal sealed class FakeAddressPool
{
    private const int MaxProbes = 64;
    private readonly uint[] _addresses;
    private readonly IPv4Network[] _networks;

    public FakeAddressPool(IReadOnlyList<IPv4Network> networks)
    {
        var addresses = new List<uint>();
        foreach (var network in networks)
        {
            for (long i = 0; i < network.Count && addresses.Count < 1 << 20; i++)
            {
                addresses.Add(network[i]);
            }
        }

        if (addresses.Count == 0)
        {
            throw new ArgumentException("The fake client networks hold no usable address.", nameof(networks));
        }

        _addresses = [.. addresses];
        _networks = [.. networks];
    }

    /// <summary>True when the address is in a fake network: such a packet is the copier's own, seen again by a datalink capture.</summary>
    public bool Contains(uint address)
    {
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public int Count => _addresses.Length;

    /// <summary>Picks a fake address for the client; false when every probed address is busy with this port.</summary>
    public bool TryAllocate(uint clientAddress, ushort clientPort, ushort targetPort, Func<ulong, bool> inUse, out uint fakeAddress)
    {
        var start = (int)(Mix(clientAddress) % (uint)_addresses.Length);
        for (var probe = 0; probe < Math.Min(MaxProbes, _addresses.Length); probe++)
        {
            var candidate = _addresses[(start + probe) % _addresses.Length];
            if (!inUse(ReplayConnection.FakeKey(candidate, clientPort, targetPort)))
            {
                fakeAddress = candidate;
                return true;
            }
        }

        fakeAddress = 0;
        return false;
    }

    // Spreads neighbouring client addresses over the pool (a multiplicative hash).
    private static uint Mix(uint value) => value * 2654435761u;
}
