using SharpPcap;
using SharpPcap.LibPcap;

namespace TcpReplay.Engine.Capture;

/// <summary>Finds and opens a libpcap live device, turning SharpPcap's failures into <see cref="CaptureException"/>s.</summary>
internal static class PcapDeviceOpener
{
    /// <summary>Opens <paramref name="interfaceName"/> in the network namespace of the calling thread.</summary>
    /// <exception cref="CaptureException">Any failure, with its <see cref="CaptureErrorKind"/>.</exception>
    public static LibPcapLiveDevice Open(string interfaceName, DeviceConfiguration configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        var device = Find(interfaceName);
        try
        {
            device.Open(configuration);
            return device;
        }
        catch (PcapException ex)
        {
            device.Close();
            throw Map(ex, interfaceName);
        }
        catch (Exception ex) when (IsLibraryMissing(ex))
        {
            throw CaptureException.LibPcapMissing(ex);
        }
    }

    /// <summary>Sets the BPF filter, or closes the device and throws <see cref="CaptureErrorKind.InvalidFilter"/>.</summary>
    public static void SetFilter(LibPcapLiveDevice device, string filter)
    {
        try
        {
            device.Filter = filter;
        }
        catch (PcapException ex)
        {
            device.Close();
            throw new CaptureException(
                CaptureErrorKind.InvalidFilter,
                $"libpcap rejected the capture filter '{filter}': {ex.Message}. The syntax is described in pcap-filter(7); try it with `tcpdump -d '<filter>'`.",
                ex);
        }
    }

    private static LibPcapLiveDevice Find(string interfaceName)
    {
        LibPcapLiveDeviceList devices;
        try
        {
            // New(), not Instance: Instance is cached for the process, and each network namespace has other devices.
            devices = LibPcapLiveDeviceList.New();
        }
        catch (Exception ex) when (IsLibraryMissing(ex))
        {
            throw CaptureException.LibPcapMissing(ex);
        }
        catch (PcapException ex)
        {
            throw new CaptureException(CaptureErrorKind.OpenFailed, $"libpcap could not list the interfaces: {ex.Message}.", ex);
        }

        foreach (var device in devices)
        {
            if (device.Name == interfaceName)
            {
                return device;
            }
        }

        throw CaptureException.InterfaceNotFound(interfaceName);
    }

    private static CaptureException Map(PcapException ex, string interfaceName)
    {
        var message = ex.Message;
        if (ex.Error is PcapError.PermissionDenied or PcapError.PromiscuousPermissionDenied
            || message.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase)
            || message.Contains("ermission denied", StringComparison.OrdinalIgnoreCase))
        {
            return CaptureException.NotPermitted($"libpcap on {interfaceName}", ex);
        }

        // The device list of libpcap also reads /sys/class/net, which shows the host's interfaces to a thread that
        // entered another network namespace, so a listed name can still be missing here.
        if (ex.Error == PcapError.NoSuchDevice || message.Contains("No such device", StringComparison.OrdinalIgnoreCase))
        {
            return CaptureException.InterfaceNotFound(interfaceName, ex);
        }

        if (ex.Error == PcapError.InterfaceNotUp)
        {
            return new CaptureException(
                CaptureErrorKind.OpenFailed,
                $"Interface '{interfaceName}' is down: bring it up with `ip link set dev {interfaceName} up`.",
                ex);
        }

        return new CaptureException(CaptureErrorKind.OpenFailed, $"libpcap could not open '{interfaceName}': {message}.", ex);
    }

    private static bool IsLibraryMissing(Exception ex) => ex switch
    {
        DllNotFoundException => true,
        TypeInitializationException { InnerException: { } inner } => IsLibraryMissing(inner),
        _ => false,
    };
}
