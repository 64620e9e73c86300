using System.Globalization;
using System.Net.Sockets;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// Captures client packets at the IP layer with <c>socket(AF_INET, SOCK_RAW, IPPROTO_TCP)</c>, as tcpcopy does by
/// default, and keeps those whose TCP destination port is in a set (and, optionally, whose destination address is
/// the online address). Delivers <see cref="LinkType.Ipv4"/> packets (the IPv4 header first).
/// </summary>
/// <remarks>
/// <para>The kernel hands a raw socket only packets it delivers locally (<c>ip_local_deliver</c>). Packets DNATed to a
/// container (Docker's published ports) are forwarded and never reach it, nor do packets this host sends; use
/// <see cref="PcapCapture"/> or <see cref="AutoCapture"/> there, and <see cref="SilentCaptureMonitor"/> to notice.</para>
/// <para>The socket sees every TCP packet of the host, so the port filter runs in user space: recvmmsg(2) reads up to
/// <see cref="ReadBatch"/> packets per system call into native slots, and only a match is copied into a rented buffer
/// and handed on.</para>
/// </remarks>
public sealed partial class RawSocketCapture : ICaptureSource
{
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    // recvmmsg calls per poll wake-up before the stop flag is looked at again.
    private const int DrainBudget = 128;

    // Packets per recvmmsg; each slot holds the largest IPv4 packet (GRO/LRO on the online host).
    private const int ReadBatch = 32;
    private const int SlotSize = 65536;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly PacketBufferPool _pool;
    private readonly CaptureOptions _options;
    private readonly PortSet _ports;
    private readonly uint _address;
    private readonly bool _filterAddress;
    private readonly CaptureCounters _counters = new();
    private readonly CaptureWorker _worker;
    private readonly string? _socketInode;

    private readonly MessageBatch _reads = new(ReadBatch, SlotSize);
    private ICaptureSink? _sink;

    /// <summary>Opens the raw socket (in the network namespace of the calling thread).</summary>
    /// <param name="destinationPorts">TCP destination ports to keep (the online service's ports).</param>
    /// <param name="pool">Buffers for delivered packets; its buffer size must hold a 64 KiB IPv4 packet.</param>
    /// <param name="destinationAddress">Keep only packets to this IPv4 address (host-order number of the wire value); null keeps any.</param>
    /// <param name="options">Tuning; <see cref="CaptureOptions.Default"/> when null.</param>
    /// <exception cref="CaptureException">The socket cannot be opened (<see cref="CaptureErrorKind.NotPermitted"/> without root or CAP_NET_RAW).</exception>
    public RawSocketCapture(IEnumerable<ushort> destinationPorts, PacketBufferPool pool, uint? destinationAddress = null, CaptureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _options = options ?? CaptureOptions.Default;
        _options.Validate();
        if (pool.BufferSize < ushort.MaxValue)
        {
            throw new ArgumentException($"The pool's buffers ({pool.BufferSize} bytes) cannot hold a 65535-byte IPv4 packet.", nameof(pool));
        }

        _ports = new PortSet(CaptureFilters.SortedPorts(destinationPorts, nameof(destinationPorts)));
        _pool = pool;
        _filterAddress = destinationAddress.HasValue;
        _address = destinationAddress.GetValueOrDefault();
        try
        {
            _socket = OpenSocket(_options.KernelBufferBytes);
        }
        catch
        {
            _reads.Dispose();
            throw;
        }

        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
        _socketInode = ReadSocketInode(_fd);
        _worker = new CaptureWorker("TcpReplay raw capture", Run, Release, _options.ThreadNice);

        var to = _filterAddress ? $" to {CaptureFilters.FormatAddress(_address)}" : string.Empty;
        Description = $"raw IPv4 socket (IP layer), TCP destination {_ports.Describe()}{to}";
    }

    public CaptureLayer Layer => CaptureLayer.IpLayer;

    public string Description { get; }

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

        if (_polled)
        {
            _worker.StartPolled();
        }
        else
        {
            _worker.Start();
        }
    }

    public void Dispose() => _worker.Dispose();

    private void Release()
    {
        _socket.Dispose();
        _reads.Dispose();
    }

    /// <summary>Asks the thread to stop without waiting (so a composite can stop several sources in parallel).</summary>
    internal void RequestStop() => _worker.RequestStop();

    private static Socket OpenSocket(int receiveBufferBytes)
    {
        Socket socket;
        try
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Tcp);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AccessDenied or SocketError.OperationNotSupported)
        {
            throw CaptureException.NotPermitted("a raw IPv4 socket", ex);
        }
        catch (SocketException ex)
        {
            throw new CaptureException(CaptureErrorKind.OpenFailed, $"Could not open a raw IPv4 socket: {ex.Message}.", ex);
        }

        try
        {
            // SO_RCVBUFFORCE passes net.core.rmem_max (often 208 KiB) with CAP_NET_ADMIN; without it, SO_RCVBUF
            // gets what the limit allows.
            try
            {
                socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(receiveBufferBytes));
            }
            catch (SocketException)
            {
                socket.ReceiveBufferSize = receiveBufferBytes;
            }

            socket.Blocking = false;
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new CaptureException(CaptureErrorKind.OpenFailed, $"Could not configure the raw IPv4 socket: {ex.Message}.", ex);
        }
    }

    private static string? ReadSocketInode(int fd)
    {
        // "socket:[12345]": the inode names this socket in /proc/net/raw, whose last column counts its drops.
        try
        {
            var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            return target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                ? target["socket:[".Length..^1]
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Run(CaptureWorker worker)
    {
        var sink = _sink!;
        var nextDropRead = Environment.TickCount64;
        var window = _options.BatchWindow;
        var busy = new BusyWindow(window);
        try
        {
            while (!worker.StopRequested)
            {
                if (Environment.TickCount64 >= nextDropRead)
                {
                    ReadKernelDrops();
                    nextDropRead = Environment.TickCount64 + 1000;
                }

                var ready = LinuxNative.WaitReadable(_fd, _options.PollMilliseconds);
                if (ready < 0)
                {
                    worker.Fail($"poll() on the raw socket failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
                    return;
                }

                var error = 0;
                var drained = ready > 0 ? Drain(sink, DrainBudget * ReadBatch, out error) : 0;
                if (error != 0)
                {
                    worker.Fail($"Reading the raw socket failed (errno {error}).");
                    return;
                }

                if (drained == 0 || window <= TimeSpan.Zero)
                {
                    continue;
                }

                if (busy.Add(drained))
                {
                    // Let the next packets gather in the socket: one wake-up of this thread (and of the consumer) for
                    // many packets instead of one per packet.
                    Thread.Sleep(window);
                }
            }
        }
        finally
        {
            ReadKernelDrops();
        }
    }

    /// <summary>Reads what the socket holds, up to about <paramref name="budget"/> packets, and delivers the matching ones.</summary>
    /// <returns>Packets delivered; <paramref name="error"/> is the errno of a failed read, else 0.</returns>
    private int Drain(ICaptureSink sink, int budget, out int error)
    {
        error = 0;
        var drained = 0;
        for (var taken = 0; taken < budget; taken += ReadBatch)
        {
            var read = _reads.Receive(_fd);
            if (read < 0)
            {
                error = -read;
                return drained;
            }

            for (var i = 0; i < read; i++)
            {
                _counters.AddReceived();
                drained += DeliverIfMatching(sink, i) ? 1 : 0;
            }

            if (read < ReadBatch)
            {
                // The socket is empty: a short batch means the kernel had no more.
                break;
            }
        }

        return drained;
    }

    private bool DeliverIfMatching(ICaptureSink sink, int index)
    {
        var packet = _reads.Received(index);
        if (!Matches(packet))
        {
            return false;
        }

        var buffer = TryRent();
        if (buffer is null)
        {
            _counters.AddBufferPoolEmpty();
            return false;
        }

        packet.CopyTo(buffer.Array);
        buffer.Length = packet.Length;
        buffer.TimestampNanoseconds = UnixNanosecondsNow();
        Deliver(sink, buffer);
        return true;
    }

    private bool Matches(ReadOnlySpan<byte> packet) =>
        Ipv4TcpPorts.TryRead(packet, out var destination, out _, out var port)
        && _ports.Contains(port)
        && (!_filterAddress || destination == _address);

    private PacketBuffer? TryRent() => _pool.Outstanding < _options.MaxOutstandingBuffers ? _pool.Rent() : null;

    private void Deliver(ICaptureSink sink, PacketBuffer buffer)
    {
        try
        {
            sink.OnPacket(buffer, LinkType.Ipv4);
            _counters.AddDelivered();
        }
        catch (Exception)
        {
            // The buffer is the sink's from the call on; a throwing sink must not stop the capture of the others.
            _counters.AddSinkFailed();
        }
    }

    private void ReadKernelDrops()
    {
        if (_socketInode is null)
        {
            return;
        }

        try
        {
            // thread-self: /proc/net follows the network namespace of the reading thread, which is the socket's.
            foreach (var line in File.ReadLines("/proc/thread-self/net/raw"))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

                // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                if (fields.Length >= 13 && fields[9] == _socketInode
                    && long.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var drops))
                {
                    _counters.SetKernelDropped(drops);
                    return;
                }
            }
        }
        catch (IOException)
        {
            // Statistics are best effort; /proc may be missing in a restricted container.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static long UnixNanosecondsNow() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
