using System.Globalization;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// Guards a raw-socket capture against failing silently: when it delivers no client packet for the ports within a
/// window, looks briefly at the datalink with libpcap and says why, in a warning a user can act on. A raw socket
/// never sees packets DNATed to a container (Docker's published ports); without this, a copy would just copy nothing.
/// </summary>
/// <remarks>
/// The check runs on its own thread, created by <see cref="Start"/> in the network namespace of the calling thread
/// (the libpcap look must open in the capture's namespace). It ends when the watched capture delivers, or once the
/// datalink shows forwarded traffic; while nobody sends, it looks again every window.
/// </remarks>
public sealed class SilentCaptureMonitor : IDisposable
{
    private readonly ICaptureSource _watched;
    private readonly string _interfaceName;
    private readonly string _filter;
    private readonly string _ports;
    private readonly TimeSpan _window;
    private readonly TimeSpan _look;
    private readonly ManualResetEventSlim _stopping = new(false);
    private readonly object _gate = new();
    private Thread? _thread;
    private bool _disposed;
    private volatile string? _warning;
    private volatile SilentCaptureFinding _finding;
    private long _datalinkPackets;

    /// <param name="ipLayerCapture">The capture to watch (its <see cref="CaptureSourceStatistics.Delivered"/>).</param>
    /// <param name="interfaceName">The interface the clients' packets should arrive on, for the libpcap look.</param>
    /// <param name="ports">The client ports the capture keeps.</param>
    /// <param name="onlineAddress">The online address the capture keeps (host-order number of the wire value), or any.</param>
    /// <param name="window">How long the IP layer may be silent before the check (5 s when null).</param>
    /// <param name="datalinkLook">How long libpcap looks (2 s when null).</param>
    public SilentCaptureMonitor(
        ICaptureSource ipLayerCapture,
        string interfaceName,
        IEnumerable<ushort> ports,
        uint? onlineAddress = null,
        TimeSpan? window = null,
        TimeSpan? datalinkLook = null)
    {
        ArgumentNullException.ThrowIfNull(ipLayerCapture);
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        var sorted = CaptureFilters.SortedPorts(ports, nameof(ports));
        _watched = ipLayerCapture;
        _interfaceName = interfaceName;
        _filter = CaptureFilters.ForClientPorts(sorted, onlineAddress);
        _ports = new PortSet(sorted).Describe();
        _window = window ?? TimeSpan.FromSeconds(5);
        _look = datalinkLook ?? TimeSpan.FromSeconds(2);
        if (_window <= TimeSpan.Zero || _look <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), "The window and the look must be positive.");
        }
    }

    /// <summary>The current warning, or null.</summary>
    public string? Warning => _warning;

    /// <summary>What the last check found.</summary>
    public SilentCaptureFinding Finding => _finding;

    /// <summary>Client packets for the ports libpcap saw during the last look.</summary>
    public long DatalinkPackets => Interlocked.Read(ref _datalinkPackets);

    /// <summary>Raised on the monitor's thread with each new warning.</summary>
    public event Action<string>? WarningRaised;

    /// <summary>Raised on the monitor's thread when client packets arrive after a warning: the warning no longer holds.</summary>
    public event Action? WarningCleared;

    /// <summary>Starts watching; returns at once.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null)
            {
                throw new InvalidOperationException("The monitor was already started.");
            }

            _thread = new Thread(Watch) { IsBackground = true, Name = "TcpReplay silent capture monitor" };
            _thread.Start();
        }
    }

    /// <summary>Stops watching (an ongoing libpcap look is cut short); joins within 2 s; never throws.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            thread = _thread;
        }

        _stopping.Set();
        if (thread is not null && thread != Thread.CurrentThread)
        {
            thread.Join(CaptureWorker.JoinTimeout);
        }
    }

    private void Watch()
    {
        var baseline = _watched.Statistics.Delivered;
        while (!_stopping.Wait(_window))
        {
            if (_watched.Statistics.Delivered > baseline)
            {
                Report(SilentCaptureFinding.None, null);
                return;
            }

            var seen = LookAtDatalink(out var error);
            if (_stopping.IsSet)
            {
                return;
            }

            if (_watched.Statistics.Delivered > baseline)
            {
                Report(SilentCaptureFinding.None, null);
                return;
            }

            var seconds = _window.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            var lookSeconds = _look.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            if (error is not null)
            {
                Report(
                    SilentCaptureFinding.DatalinkUnavailable,
                    $"The raw IPv4 socket (IP layer) captured no client packet for {_ports} in {seconds} s, and the datalink "
                    + $"of {_interfaceName} could not be checked: {error} If the service runs in a container reached by DNAT "
                    + "(Docker published ports), raw sockets never see its traffic: capture with -CaptureMode Pcap.");
                return;
            }

            if (seen > 0)
            {
                Report(
                    SilentCaptureFinding.Forwarded,
                    $"The raw IPv4 socket (IP layer) captured no client packet for {_ports} in {seconds} s, but libpcap on "
                    + $"{_interfaceName} saw {seen} in {lookSeconds} s: the traffic is forwarded (DNAT to a container, as "
                    + "Docker publishes ports) and never delivered to raw sockets. Capture with -CaptureMode Pcap (or Auto) "
                    + $"on {_interfaceName}.");
                return;
            }

            Report(
                SilentCaptureFinding.NoTraffic,
                $"No client packet for {_ports} in {seconds} s, neither at the IP layer (raw socket) nor on the datalink of "
                + $"{_interfaceName} (libpcap, {lookSeconds} s): nobody sends to this port here. Check the port, the "
                + "interface, and that the clients' traffic reaches this host.");
        }
    }

    private long LookAtDatalink(out string? error)
    {
        error = null;
        var pool = new PacketBufferPool(PacketBufferPool.DefaultBufferSize, maximumRetained: 16);
        var sink = new CountingSink(pool);
        try
        {
            // Small kernel ring: this only counts, for a moment.
            using var look = new PcapCapture(_interfaceName, _filter, pool, CaptureOptions.Default with { KernelBufferBytes = 1 << 20 });
            look.Start(sink);
            _stopping.Wait(_look);
        }
        catch (CaptureException ex)
        {
            error = ex.Message;
        }

        var count = sink.Count;
        Interlocked.Exchange(ref _datalinkPackets, count);
        return count;
    }

    private void Report(SilentCaptureFinding finding, string? warning)
    {
        var changed = warning is not null && warning != _warning;
        var cleared = warning is null && _warning is not null;
        _finding = finding;
        _warning = warning;
        if (cleared)
        {
            try
            {
                WarningCleared?.Invoke();
            }
            catch (Exception)
            {
                // A subscriber's failure must not end the monitoring.
            }
        }

        if (changed)
        {
            try
            {
                WarningRaised?.Invoke(warning!);
            }
            catch (Exception)
            {
                // A subscriber's failure must not end the monitoring.
            }
        }
    }

    private sealed class CountingSink(PacketBufferPool pool) : ICaptureSink
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void OnPacket(PacketBuffer buffer, LinkType linkType)
        {
            Interlocked.Increment(ref _count);
            pool.Return(buffer);
        }
    }
}
