using System.Runtime.InteropServices;

namespace TcpReplay.Engine.Diagnostics;

/// <summary>Finds out whether libpcap can be loaded, without touching SharpPcap (whose type initializer throws when it cannot).</summary>
public static class LibPcapProbe
{
    /// <summary>The package that ships libpcap.so.0.8 on Debian and Ubuntu (libpcap.so.1 is the same library under its upstream soname).</summary>
    public const string Remedy = "apt-get install libpcap0.8";

    // The sonames in the order distributions ship them; the bare libpcap.so exists only with the -dev package.
    private static readonly string[] Candidates = ["libpcap.so.1", "libpcap.so.0.8", "libpcap.so"];

    /// <summary>Tries each known libpcap name and reads its version. Never throws.</summary>
    public static LibPcapInfo Probe() => Probe(Candidates);

    internal static LibPcapInfo Probe(IEnumerable<string> candidates)
    {
        foreach (var name in candidates)
        {
            if (!NativeLibrary.TryLoad(name, out var handle))
            {
                continue;
            }

            try
            {
                if (!NativeLibrary.TryGetExport(handle, "pcap_lib_version", out var export))
                {
                    // Some other library under that name: not one SharpPcap could use.
                    continue;
                }

                return new LibPcapInfo(true, FindMappedFile(name) ?? name, ReadVersion(export), Remedy);
            }
            finally
            {
                NativeLibrary.Free(handle);
            }
        }

        return new LibPcapInfo(false, null, null, Remedy);
    }

    private static unsafe string? ReadVersion(nint export)
    {
        // const char *pcap_lib_version(void): a static string owned by libpcap, never freed by the caller.
        var function = (delegate* unmanaged<nint>)export;
        return Marshal.PtrToStringUTF8(function());
    }

    /// <summary>The path the dynamic loader resolved the soname to, read from the process's own mappings.</summary>
    private static string? FindMappedFile(string soname)
    {
        var stem = soname.Split(".so")[0];
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/');
                if (slash < 0)
                {
                    continue;
                }

                var path = line[slash..];
                var fileName = Path.GetFileName(path);
                if (fileName.StartsWith(stem + ".so", StringComparison.Ordinal))
                {
                    return path;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // No /proc: the name that loaded is still a useful answer.
        }

        return null;
    }
}
