using System.Net.NetworkInformation;
using System.Text.Json;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>
/// Reads the JSON of <c>ip -j</c> (iproute2 5.x and 6.x). Members ip leaves out mean their default
/// (no "type" is unicast, no "metric" is 0, no "protocol" is boot); members it does not know today are ignored.
/// </summary>
internal static class IpJson
{
    /// <summary>Parses the array of <c>ip -j route show</c> or <c>ip -j route get</c>, keeping IPv4 entries.</summary>
    /// <exception cref="JsonException">The text is not the array of objects ip writes.</exception>
    public static List<RouteEntry> ParseRoutes(string json)
    {
        var routes = new List<RouteEntry>();
        using var document = Parse(json);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var destination = GetString(item, "dst");
            if (destination is null || destination.Contains(':'))
            {
                continue;
            }

            var type = GetString(item, "type") ?? RouteEntry.Unicast;
            var table = GetString(item, "table") ?? (type is RouteEntry.Local or "broadcast" ? "local" : "main");
            var protocol = GetString(item, "protocol");
            routes.Add(new RouteEntry(
                destination,
                GetString(item, "gateway"),
                GetString(item, "dev"),
                protocol == "boot" ? null : protocol,
                item.TryGetProperty("metric", out var metric) && metric.TryGetInt32(out var value) && value != 0 ? value : null,
                GetString(item, "prefsrc"),
                table,
                type));
        }

        return routes;
    }

    /// <summary>Parses the array of <c>ip -j addr show</c>; offloads are left unknown (null) for the caller to fill.</summary>
    /// <exception cref="JsonException">The text is not the array of objects ip writes.</exception>
    public static List<NetworkInterfaceFacts> ParseInterfaces(string json)
    {
        var interfaces = new List<NetworkInterfaceFacts>();
        using var document = Parse(json);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var name = GetString(item, "ifname");
            if (name is null || !item.TryGetProperty("ifindex", out var index) || !index.TryGetInt32(out var ifindex))
            {
                continue;
            }

            var flags = new HashSet<string>(StringComparer.Ordinal);
            if (item.TryGetProperty("flags", out var flagArray) && flagArray.ValueKind == JsonValueKind.Array)
            {
                foreach (var flag in flagArray.EnumerateArray())
                {
                    if (flag.GetString() is { } text)
                    {
                        flags.Add(text);
                    }
                }
            }

            var addresses = new List<IPv4Network>();
            if (item.TryGetProperty("addr_info", out var addrInfo) && addrInfo.ValueKind == JsonValueKind.Array)
            {
                foreach (var address in addrInfo.EnumerateArray())
                {
                    if (GetString(address, "family") == "inet"
                        && IPv4Text.TryParse(GetString(address, "local"), out var local)
                        && address.TryGetProperty("prefixlen", out var prefix)
                        && prefix.TryGetInt32(out var prefixLength)
                        && prefixLength is >= 0 and <= 32)
                    {
                        addresses.Add(new IPv4Network(local, prefixLength));
                    }
                }
            }

            interfaces.Add(new NetworkInterfaceFacts(
                name,
                ifindex,
                flags.Contains("UP"),
                item.TryGetProperty("mtu", out var mtu) && mtu.TryGetInt32(out var mtuValue) ? mtuValue : 0,
                ParseMac(GetString(item, "address")),
                addresses,
                null,
                null,
                null)
            {
                HasCarrier = flags.Contains("LOWER_UP"),
                LinkType = GetString(item, "link_type") ?? "unknown",
            });
        }

        return interfaces;
    }

    private static JsonDocument Parse(string json)
    {
        var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw new JsonException("ip -j printed something other than an array.");
        }

        return document;
    }

    private static PhysicalAddress? ParseMac(string? text)
    {
        // ip prints link-layer addresses as colon-separated hex of any length (6 bytes for Ethernet, 20 for InfiniBand).
        return text is not null && text.Length > 0 && PhysicalAddress.TryParse(text.Replace(':', '-'), out var mac) ? mac : null;
    }

    private static string? GetString(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
