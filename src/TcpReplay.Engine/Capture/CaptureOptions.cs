namespace TcpReplay.Engine.Capture;

/// <summary>Tuning of the capture sources; the defaults suit a busy online host.</summary>
public sealed record CaptureOptions
{
    /// <summary>The defaults.</summary>
    public static CaptureOptions Default { get; } = new();

    /// <summary>
    /// Kernel buffer in bytes: SO_RCVBUFFORCE of the raw socket (as tcpcopy's 64 MiB), the ring of libpcap
    /// (pcap_set_buffer_size). Large so a burst while the consumer is busy is queued, not dropped.
    /// </summary>
    public int KernelBufferBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// Longest wait for a packet before the capture thread looks at its stop flag: bounds how long a stop takes.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// When the buffer pool already has this many buffers out (captured, not yet returned by the consumer), a new
    /// matching packet is dropped and counted in <see cref="CaptureSourceStatistics.BufferPoolEmpty"/> instead of
    /// growing memory without bound.
    /// </summary>
    public int MaxOutstandingBuffers { get; init; } = 16384;

    /// <summary>libpcap only: capture only packets the interface receives (PCAP_D_IN), not the ones it sends.</summary>
    public bool InboundOnly { get; init; } = true;

    /// <summary>
    /// <see cref="TimeSpan.Zero"/> (default) hands each packet over as it arrives. Above zero (whole milliseconds, 1 to
    /// 100), packets are handed over in batches at most this late: one wake-up of the capture thread for many packets.
    /// libpcap: the kernel fills blocks and hands a block over when it is full or this long after its first packet,
    /// so the capture thread wakes once per block instead of once per packet, which under load costs it several times
    /// less CPU per packet (docs/benchmarks.md, "libpcap capture in blocks"). Raw socket: once a window has brought 8 packets or more (a busy port), the thread
    /// sleeps this long after draining the socket before it waits for the next packet; a quiet port's packets go at once.
    /// </summary>
    /// <remarks>
    /// Immediate mode also makes libpcap use fixed-size ring frames as large as the snap length when the interface
    /// offloads (GRO): a 64 MiB ring then holds only about a thousand packets. Blocks hold each packet at its own size.
    /// </remarks>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// libpcap only: the batch window of the datalink capture when it should differ from <see cref="BatchWindow"/>
    /// (null: the same). Above zero, libpcap's ring is made of 256 KiB blocks and the kernel hands a block over this
    /// long after its first packet however little it holds, so while the consumer is behind, a 64 MiB ring holds
    /// 256 × this window of backlog: 0.26 s at 1 ms, 2.6 s at 10 ms.
    /// </summary>
    public TimeSpan? DatalinkBatchWindow { get; init; }

    /// <summary>
    /// libpcap only: the ring's size in bytes when it should differ from <see cref="KernelBufferBytes"/> (null: the
    /// same). The ring is mapped into the capturing process, so all of it counts in its memory from the start, where a
    /// raw socket's receive buffer is only a limit on what the kernel may queue.
    /// </summary>
    public int? DatalinkBufferBytes { get; init; }

    /// <summary>libpcap only: put the interface in promiscuous mode (not needed for packets addressed to this host).</summary>
    public bool Promiscuous { get; init; }

    /// <summary>
    /// The capture thread's nice value on Linux (-20..19; 0 leaves the inherited one). A negative value needs root or
    /// CAP_SYS_NICE; without it the thread keeps its priority.
    /// </summary>
    public int ThreadNice { get; init; }

    /// <summary><see cref="AutoCapture"/>: client packets the datalink must see before the layers are compared.</summary>
    public int ProbePackets { get; init; } = 20;

    /// <summary><see cref="AutoCapture"/>: if fewer than <see cref="ProbePackets"/> came by then (and at least one), compare anyway.</summary>
    public TimeSpan ProbeTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <see cref="AutoCapture"/>: after choosing the IP layer, how long libpcap may keep delivering at most while it
    /// drains the packets it queued before the raw socket took over.
    /// </summary>
    public TimeSpan SwitchOverlap { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The ring libpcap captures into: <see cref="DatalinkBufferBytes"/>, else <see cref="KernelBufferBytes"/>.</summary>
    internal int PcapBufferBytes => DatalinkBufferBytes ?? KernelBufferBytes;

    /// <summary>The window libpcap captures with: <see cref="DatalinkBatchWindow"/>, else <see cref="BatchWindow"/>.</summary>
    internal TimeSpan PcapBatchWindow => DatalinkBatchWindow ?? BatchWindow;

    /// <summary>libpcap's read timeout for <see cref="PcapBatchWindow"/>: whole milliseconds, at least 1.</summary>
    internal int PcapBatchWindowMilliseconds => (int)Math.Clamp(Math.Ceiling(PcapBatchWindow.TotalMilliseconds), 1, 100);

    internal int PollMilliseconds => (int)Math.Clamp(PollInterval.TotalMilliseconds, 1, 1000);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(KernelBufferBytes, 65536, nameof(KernelBufferBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(DatalinkBufferBytes ?? 65536, 65536, nameof(DatalinkBufferBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutstandingBuffers, 1, nameof(MaxOutstandingBuffers));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbePackets, 1, nameof(ProbePackets));
        ArgumentOutOfRangeException.ThrowIfLessThan(ThreadNice, -20, nameof(ThreadNice));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ThreadNice, 19, nameof(ThreadNice));
        if (BatchWindow < TimeSpan.Zero || BatchWindow > TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(BatchWindow), BatchWindow, "The batch window must be 0 (immediate) to 100 ms.");
        }

        if (DatalinkBatchWindow is { } datalink && (datalink < TimeSpan.Zero || datalink > TimeSpan.FromMilliseconds(100)))
        {
            throw new ArgumentOutOfRangeException(nameof(DatalinkBatchWindow), datalink, "The datalink batch window must be 0 (immediate) to 100 ms.");
        }

        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "The poll interval must be above 0 and at most 1 s, so that a stop is prompt.");
        }
    }
}
