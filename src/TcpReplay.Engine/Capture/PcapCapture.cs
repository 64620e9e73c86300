using System.Runtime.InteropServices;
using SharpPcap;
using SharpPcap.LibPcap;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// Captures at the datalink with libpcap (SharpPcap's <see cref="LibPcapLiveDevice"/>) on one interface or "any":
/// immediate mode or blocks of at most <see cref="CaptureOptions.PcapBatchWindow"/>, a large kernel ring, a snap length of a whole pooled buffer and a BPF filter chosen by the caller
/// (see <see cref="CaptureFilters"/>). Sees what a raw socket cannot: packets forwarded to containers (DNAT) and
/// packets this host sends.
/// </summary>
/// <remarks>
/// The capture thread waits with poll() on libpcap's selectable descriptor for at most
/// <see cref="CaptureOptions.PollInterval"/>, then drains the ring in non-blocking mode with pcap_next_ex. Each
/// packet is copied out of libpcap's buffer into a rented <see cref="PacketBuffer"/> at once (the pointer is valid
/// only until the next read); SharpPcap's PacketCapture/RawCapture path is not used because it allocates a header
/// object per packet.
/// </remarks>
public sealed class PcapCapture : ICaptureSource
{
    // Reads per poll wake-up before the stop flag is looked at again.
    private const int DrainBudget = 4096;

    // libpcap's largest snap length; more would only waste ring space.
    private const int MaxSnapLength = 262144;

    private readonly LibPcapLiveDevice _device;
    private readonly PacketBufferPool _pool;
    private readonly CaptureOptions _options;
    private readonly CaptureCounters _counters = new();
    private readonly CaptureWorker _worker;
    private readonly int _fd;
    private readonly bool _nanosecondTimestamps;
    private ICaptureSink? _sink;

    /// <summary>Opens and configures the device (in the network namespace of the calling thread).</summary>
    /// <param name="interfaceName">An interface name as <c>ip link</c> shows it, or "any".</param>
    /// <param name="filter">A BPF filter (pcap-filter(7)); empty captures everything.</param>
    /// <param name="pool">Buffers for delivered packets; their size is the snap length (at least 65535 bytes).</param>
    /// <param name="options">Tuning; <see cref="CaptureOptions.Default"/> when null.</param>
    /// <exception cref="CaptureException">libpcap is missing, the interface does not exist, the filter is invalid,
    /// or the process may not capture.</exception>
    public PcapCapture(string interfaceName, string filter, PacketBufferPool pool, CaptureOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(pool);
        _options = options ?? CaptureOptions.Default;
        _options.Validate();
        if (pool.BufferSize < ushort.MaxValue)
        {
            throw new ArgumentException($"The pool's buffers ({pool.BufferSize} bytes) cannot hold a 65535-byte packet.", nameof(pool));
        }

        _pool = pool;
        InterfaceName = interfaceName;
        Filter = filter;

        var configuration = new DeviceConfiguration
        {
            Mode = _options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
            Snaplen = Math.Min(pool.BufferSize, MaxSnapLength),
            Immediate = _options.PcapBatchWindow == TimeSpan.Zero,
            BufferSize = _options.PcapBufferBytes,
            ReadTimeout = _options.PcapBatchWindow == TimeSpan.Zero ? _options.PollMilliseconds : _options.PcapBatchWindowMilliseconds,
        };
        _device = PcapDeviceOpener.Open(interfaceName, configuration);
        try
        {
            PcapDeviceOpener.SetFilter(_device, filter);
            var dlt = (int)_device.LinkType;
            if (!LinkHeader.TryFromDatalink(dlt, out var linkType))
            {
                throw new CaptureException(
                    CaptureErrorKind.OpenFailed,
                    $"Interface '{interfaceName}' has link type {dlt} (DLT), which TcpReplay cannot parse; capture on an Ethernet interface or \"any\".");
            }

            LinkType = linkType;
            var inbound = _options.InboundOnly && LibPcapNative.pcap_setdirection(_device.Handle, LibPcapNative.DirectionIn) == 0;
            _device.NonBlockingMode = true;
            _fd = LibPcapNative.pcap_get_selectable_fd(_device.Handle);
            if (_fd < 0)
            {
                throw new CaptureException(CaptureErrorKind.OpenFailed, $"libpcap gives no pollable descriptor for '{interfaceName}'.");
            }

            _nanosecondTimestamps = _device.TimestampResolution == TimestampResolution.Nanosecond;
            var direction = inbound ? ", inbound" : string.Empty;
            var ring = $", {_options.PcapBufferBytes / (1024.0 * 1024):0.#} MiB ring";
            Description = filter.Length == 0
                ? $"libpcap on {interfaceName} (datalink){direction}{ring}, no filter"
                : $"libpcap on {interfaceName} (datalink){direction}{ring}, filter '{filter}'";
        }
        catch (CaptureException)
        {
            _device.Close();
            throw;
        }
        catch (PcapException ex)
        {
            _device.Close();
            throw new CaptureException(CaptureErrorKind.OpenFailed, $"libpcap could not configure '{interfaceName}': {ex.Message}.", ex);
        }

        _worker = new CaptureWorker("TcpReplay pcap capture", Run, _device.Close, _options.ThreadNice);
    }

    public CaptureLayer Layer => CaptureLayer.Datalink;

    public string Description { get; }

    /// <summary>The interface captured on.</summary>
    public string InterfaceName { get; }

    /// <summary>The BPF filter in force.</summary>
    public string Filter { get; }

    /// <summary>The link-layer header type of the delivered frames (Ethernet, or Linux SLL/SLL2 for "any").</summary>
    public LinkType LinkType { get; }

    public CaptureStatus Status => _worker.Status;

    public string? FailureReason => _worker.FailureReason;

    public CaptureSourceStatistics Statistics => _counters.Snapshot();

    public void Start(ICaptureSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.CompareExchange(ref _sink, sink, null) is not null)
        {
            throw new InvalidOperationException("The capture was already started.");
        }

        _worker.Start();
    }

    public void Dispose() => _worker.Dispose();

    /// <summary>Asks the thread to stop without waiting (so a composite can stop several sources in parallel).</summary>
    internal void RequestStop() => _worker.RequestStop();

    private void Run(CaptureWorker worker)
    {
        var sink = _sink!;
        var nextStatistics = Environment.TickCount64 + 1000;
        var batchSink = sink as ICaptureBatchSink;
        try
        {
            while (!worker.StopRequested)
            {
                if (Environment.TickCount64 >= nextStatistics)
                {
                    ReadKernelDrops();
                    nextStatistics = Environment.TickCount64 + 1000;
                }

                var ready = LinuxNative.WaitReadable(_fd, _options.PollMilliseconds);
                if (ready < 0)
                {
                    worker.Fail($"poll() on the libpcap descriptor of {InterfaceName} failed (errno {Marshal.GetLastPInvokeError()}).");
                    return;
                }

                var delivered = 0;
                for (var i = 0; i < DrainBudget && ready > 0; i++)
                {
                    IntPtr header = IntPtr.Zero;
                    IntPtr data = IntPtr.Zero;
                    var result = _device.GetNextPacketPointers(ref header, ref data);
                    if (result == 0)
                    {
                        break;
                    }

                    if (result < 0)
                    {
                        // -1: an error such as "The interface disappeared"; -2: pcap_breakloop. Either ends this capture.
                        worker.Fail($"libpcap stopped reading {InterfaceName}: {_device.LastError}");
                        return;
                    }

                    _counters.AddReceived();
                    Copy(sink, header, data);
                    delivered++;
                }

                if (delivered > 0 && batchSink is not null)
                {
                    NotifyBatchDelivered(batchSink);
                }
            }
        }
        finally
        {
            ReadKernelDrops();
        }
    }

    private unsafe void Copy(ICaptureSink sink, IntPtr header, IntPtr data)
    {
        if (_pool.Outstanding >= _options.MaxOutstandingBuffers)
        {
            _counters.AddBufferPoolEmpty();
            return;
        }

        // struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; } with a native-long timeval
        // on Linux; read in place instead of SharpPcap's PcapHeader, which is an object per packet.
        var bytes = (byte*)header;
        var seconds = (long)*(nint*)bytes;
        var fraction = (long)*(nint*)(bytes + sizeof(nint));
        var captured = (int)Math.Min(*(uint*)(bytes + (2 * sizeof(nint))), (uint)_pool.BufferSize);

        var buffer = _pool.Rent();
        new ReadOnlySpan<byte>((void*)data, captured).CopyTo(buffer.Array);
        buffer.Length = captured;
        buffer.TimestampNanoseconds = (seconds * 1_000_000_000) + (_nanosecondTimestamps ? fraction : fraction * 1000);
        try
        {
            sink.OnPacket(buffer, LinkType);
            _counters.AddDelivered();
        }
        catch (Exception)
        {
            // The buffer is the sink's from the call on; a throwing sink must not stop the capture.
            _counters.AddSinkFailed();
        }
    }

    private void NotifyBatchDelivered(ICaptureBatchSink sink)
    {
        try
        {
            sink.OnBatchDelivered();
        }
        catch (Exception)
        {
            // As in Copy: a throwing sink must not stop the capture.
            _counters.AddSinkFailed();
        }
    }

    private void ReadKernelDrops()
    {
        // Not SharpPcap's Statistics: it misreads ps_drop on 64-bit Linux (see LibPcapNative.pcap_stats). Called on the
        // capture thread only, before the handle is closed; a failure (device gone) leaves the last value.
        if (LibPcapNative.pcap_stats(_device.Handle, out var statistics) == 0)
        {
            _counters.SetKernelDropped(statistics.Dropped);
        }
    }
}
