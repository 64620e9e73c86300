using System.Globalization;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// What the current process may do to the host's network, read from /proc/self/status.
/// </summary>
/// <remarks>
/// The kernel checks capabilities, not the user id: root normally holds every capability, but a container
/// started with --cap-drop=NET_RAW runs as root without it, and an unprivileged binary given
/// <c>setcap cap_net_raw+ep</c> holds it without being root. So the answers come from the effective set (CapEff);
/// the user id decides only when /proc cannot be read.
/// </remarks>
public static class Privileges
{
    private const string StatusPath = "/proc/self/status";

    /// <summary>True when the effective user id is 0.</summary>
    public static bool IsRoot => TryReadStatus(out var status) && TryParseEffectiveUserId(status, out var uid) && uid == 0;

    /// <summary>Root or CAP_NET_RAW in the effective set: may open raw and packet sockets (libpcap capture and inject).</summary>
    public static bool CanCaptureAndSend => HasCapability(LinuxCapability.NetRaw);

    /// <summary>Root or CAP_NET_ADMIN in the effective set: may change routes, addresses and net sysctls.</summary>
    public static bool CanChangeNetwork => HasCapability(LinuxCapability.NetAdmin);

    public static bool CanRaisePriority => HasCapability(LinuxCapability.SysNice);

    /// <summary>True when <paramref name="capability"/> is in the effective set (CapEff) of this process.</summary>
    public static bool HasCapability(LinuxCapability capability)
    {
        if (TryReadStatus(out var status) && TryParseEffectiveCapabilities(status, out var effective))
        {
            return HasCapability(effective, capability);
        }

        return IsRoot;
    }

    internal static bool HasCapability(ulong effective, LinuxCapability capability) =>
        (effective & (1UL << (int)capability)) != 0;

    /// <summary>Reads the "CapEff:" line of a /proc/[pid]/status text: 16 hex digits, bit n is capability n.</summary>
    internal static bool TryParseEffectiveCapabilities(string status, out ulong effective)
    {
        effective = 0;
        return TryGetField(status, "CapEff:", out var value)
            && value.Length is > 0 and <= 16
            && ulong.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out effective);
    }

    /// <summary>Reads the effective id, the second of the four on the "Uid:" line (real, effective, saved, filesystem).</summary>
    internal static bool TryParseEffectiveUserId(string status, out uint uid)
    {
        uid = 0;
        if (!TryGetField(status, "Uid:", out var value))
        {
            return false;
        }

        Span<Range> parts = stackalloc Range[5];
        var count = value.Split(parts, '\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return count == 4 && uint.TryParse(value[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out uid);
    }

    private static bool TryGetField(string status, string name, out ReadOnlySpan<char> value)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                value = line[name.Length..].Trim();
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool TryReadStatus(out string status)
    {
        try
        {
            status = File.ReadAllText(StatusPath);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            status = string.Empty;
            return false;
        }
    }
}
