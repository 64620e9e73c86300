namespace TcpReplay.Engine.Capture;

/// <summary>A snapshot of a capture source's counters, all in packets since it was opened.</summary>
/// <param name="Received">Packets read from the kernel: for a raw socket every TCP packet delivered to the host
/// (any port), for libpcap every frame that passed the BPF filter.</param>
/// <param name="Delivered">Packets that matched (the ports, the address) and were handed to the sink.</param>
/// <param name="KernelDropped">Packets the kernel dropped because the socket queue or the capture ring was full
/// (pcap_stats <c>ps_drop</c>; the <c>drops</c> column of /proc/net/raw for a raw socket). Read about once a second.</param>
/// <param name="BufferPoolEmpty">Matching packets dropped because no packet buffer could be rented
/// (the outstanding-buffer limit of <see cref="CaptureOptions.MaxOutstandingBuffers"/> was reached: the consumer is behind).</param>
/// <param name="SinkFailed">Packets whose <see cref="ICaptureSink.OnPacket"/> threw; the buffer is then taken as the sink's.</param>
public readonly record struct CaptureSourceStatistics(
    long Received,
    long Delivered,
    long KernelDropped,
    long BufferPoolEmpty,
    long SinkFailed)
{
    /// <summary>Adds two snapshots field by field (for a source made of others).</summary>
    public static CaptureSourceStatistics operator +(CaptureSourceStatistics a, CaptureSourceStatistics b) => new(
        a.Received + b.Received,
        a.Delivered + b.Delivered,
        a.KernelDropped + b.KernelDropped,
        a.BufferPoolEmpty + b.BufferPoolEmpty,
        a.SinkFailed + b.SinkFailed);
}
