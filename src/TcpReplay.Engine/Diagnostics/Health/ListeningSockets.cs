using System.ComponentModel;
using System.Globalization;

namespace TcpReplay.Engine.Diagnostics.Health;

/// <summary>The TCP ports something listens on in this network namespace, from <c>ss -ltnH</c>.</summary>
public static class ListeningSockets
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(5);

    /// <summary>The listening (address, port) pairs; the address text is as ss prints it ("0.0.0.0", "*", "[::]"). Null when ss cannot run.</summary>
    public static IReadOnlyList<(string Address, ushort Port)>? List(CancellationToken cancellationToken = default)
    {
        try
        {
            var (exitCode, stdout, _) = ExternalCommand.Run("ss", ["-ltnH"], CommandLimit, null, cancellationToken);
            return exitCode == 0 ? Parse(stdout) : null;
        }
        catch (Exception exception) when (exception is Win32Exception or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>True when one of <paramref name="sockets"/> accepts connections to <paramref name="port"/> on <paramref name="address"/> (host order; 0 for any).</summary>
    public static bool Accepts(IEnumerable<(string Address, ushort Port)> sockets, uint address, ushort port)
    {
        var text = Addresses.ToText(address);
        return sockets.Any(s => s.Port == port && (address == 0 || s.Address is "0.0.0.0" or "*" or "[::]" || s.Address == text || s.Address == $"[::ffff:{text}]"));
    }

    /// <summary>
    /// Reads "State Recv-Q Send-Q Local:Port Peer:Port" lines ("LISTEN 0 511 0.0.0.0:8080 0.0.0.0:*"); the local
    /// column may carry an interface ("127.0.0.53%lo:53") or be IPv6 ("[::]:22"). Lines that do not fit are skipped.
    /// </summary>
    internal static List<(string Address, ushort Port)> Parse(string text)
    {
        var result = new List<(string, ushort)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 4 || columns[0] != "LISTEN")
            {
                continue;
            }

            var local = columns[3];
            var colon = local.LastIndexOf(':');
            if (colon <= 0 || !ushort.TryParse(local.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            var address = local[..colon];
            var percent = address.IndexOf('%');
            if (percent > 0)
            {
                address = address[..percent];
            }

            result.Add((address, port));
        }

        return result;
    }
}
