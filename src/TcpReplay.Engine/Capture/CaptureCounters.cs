namespace TcpReplay.Engine.Capture;

/// <summary>
/// The counters behind <see cref="CaptureSourceStatistics"/>. Each field has one writer (the capture thread), so
/// increments are plain read-add-write published with a volatile write, cheaper than Interlocked on the hot path;
/// readers on other threads see a value at most one packet old.
/// </summary>
internal sealed class CaptureCounters
{
    private long _received;
    private long _delivered;
    private long _kernelDropped;
    private long _bufferPoolEmpty;
    private long _sinkFailed;

    public void AddReceived() => Volatile.Write(ref _received, _received + 1);

    public void AddDelivered() => Volatile.Write(ref _delivered, _delivered + 1);

    public void AddBufferPoolEmpty() => Volatile.Write(ref _bufferPoolEmpty, _bufferPoolEmpty + 1);

    public void AddSinkFailed() => Volatile.Write(ref _sinkFailed, _sinkFailed + 1);

    public void SetKernelDropped(long value) => Volatile.Write(ref _kernelDropped, value);

    public CaptureSourceStatistics Snapshot() => new(
        Volatile.Read(ref _received),
        Volatile.Read(ref _delivered),
        Volatile.Read(ref _kernelDropped),
        Volatile.Read(ref _bufferPoolEmpty),
        Volatile.Read(ref _sinkFailed));
}
