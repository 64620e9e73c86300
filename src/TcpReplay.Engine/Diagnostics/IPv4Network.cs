using System.Diagnostics.CodeAnalysis;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// An IPv4 address with a prefix length, as in "198.19.0.0/16" or an interface address "198.18.0.30/24".
/// </summary>
/// <remarks>
/// Addresses are host-order numbers: the first dotted octet is the most significant byte, so 198.19.0.1 is
/// 0xC6130001 (the big-endian wire value read as a number). <see cref="Address"/> keeps the host bits as written,
/// because an interface address carries them; <see cref="NetworkAddress"/> and <see cref="Canonical"/> drop them.
/// <c>default</c> is 0.0.0.0/0.
/// </remarks>
public readonly record struct IPv4Network
{
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="prefixLength"/> is not within 0..32.</exception>
    public IPv4Network(uint address, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        Address = address;
        PrefixLength = prefixLength;
    }

    /// <summary>The address as written, host bits included (host order).</summary>
    public uint Address { get; }

    /// <summary>Leading one bits of the mask, 0..32.</summary>
    public int PrefixLength { get; }

    /// <summary>The netmask as a host-order number (255.255.0.0 is 0xFFFF0000).</summary>
    public uint Mask => MaskOf(PrefixLength);

    /// <summary>The first address of the network: <see cref="Address"/> with the host bits cleared.</summary>
    public uint NetworkAddress => Address & Mask;

    /// <summary>The last address of the network (the broadcast address for prefixes up to /30).</summary>
    public uint LastAddress => NetworkAddress | ~Mask;

    /// <summary>True when no host bits are set, so the value names a network rather than a host on it.</summary>
    public bool IsCanonical => Address == NetworkAddress;

    /// <summary>The same network with the host bits cleared, as routes are written.</summary>
    public IPv4Network Canonical => new(NetworkAddress, PrefixLength);

    /// <summary>
    /// The number of usable host addresses: all but the network and broadcast addresses, except on /31 (two
    /// hosts, RFC 3021) and /32 (the one address). Always fits: /0 gives 2^32 - 2.
    /// </summary>
    public uint Count => PrefixLength switch
    {
        32 => 1,
        31 => 2,
        _ => (uint)((1UL << (32 - PrefixLength)) - 2),
    };

    /// <summary>The host address at a zero-based index among the <see cref="Count"/> usable ones, in ascending order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not below <see cref="Count"/>.</exception>
    public uint this[long index]
    {
        get
        {
            if ((ulong)index >= Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"{this} has {Count} usable addresses.");
            }

            // Below /31 the first address names the network (RFC 919/922), so hosts start one above it.
            var first = PrefixLength >= 31 ? NetworkAddress : NetworkAddress + 1;
            return first + (uint)index;
        }
    }

    /// <summary>True when <paramref name="address"/> (host order) lies within this network.</summary>
    public bool Contains(uint address) => (address & Mask) == NetworkAddress;

    /// <summary>True when every address of <paramref name="other"/> lies within this network.</summary>
    public bool Contains(IPv4Network other) => other.PrefixLength >= PrefixLength && Contains(other.NetworkAddress);

    /// <summary>True when the two networks share at least one address (one then contains the other).</summary>
    public bool Overlaps(IPv4Network other)
    {
        var mask = MaskOf(Math.Min(PrefixLength, other.PrefixLength));
        return (Address & mask) == (other.Address & mask);
    }

    /// <summary>"198.19.0.0/16": the address as held (host bits included) and the prefix length.</summary>
    public override string ToString() => $"{Addresses.ToText(Address)}/{PrefixLength}";

    /// <summary>
    /// Parses "a.b.c.d/n" (n in 0..32, no leading zeros) or a bare address, which is taken as /32. Host bits are
    /// kept; check <see cref="IsCanonical"/> where only a network makes sense. Never throws.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IPv4Network network)
    {
        network = default;
        return text is not null && TryParse(text.AsSpan(), out network);
    }

    /// <inheritdoc cref="TryParse(string?, out IPv4Network)"/>
    public static bool TryParse(ReadOnlySpan<char> text, out IPv4Network network)
    {
        network = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPv4Text.TryParse(addressText, out var address))
        {
            return false;
        }

        var prefixLength = 32;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 2 || (prefixText.Length == 2 && prefixText[0] == '0'))
            {
                return false;
            }

            prefixLength = 0;
            foreach (var c in prefixText)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                prefixLength = (prefixLength * 10) + (c - '0');
            }

            if (prefixLength > 32)
            {
                return false;
            }
        }

        network = new IPv4Network(address, prefixLength);
        return true;
    }

    /// <summary>As <see cref="TryParse(string?, out IPv4Network)"/>; also lets PowerShell convert strings to this type.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not an IPv4 address or network.</exception>
    public static IPv4Network Parse(string text) =>
        TryParse(text, out var network)
            ? network
            : throw new FormatException($"'{text}' is not an IPv4 network such as 198.19.0.0/16 or an address such as 198.18.0.40.");

    private static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
}
