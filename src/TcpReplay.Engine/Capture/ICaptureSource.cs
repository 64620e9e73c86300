namespace TcpReplay.Engine.Capture;

/// <summary>
/// A live packet capture that delivers packets to an <see cref="ICaptureSink"/> on its own thread.
/// </summary>
/// <remarks>
/// The source is opened by its constructor, which throws <see cref="CaptureException"/> when it cannot be
/// (permissions, libpcap missing, unknown interface, bad filter), so a caller learns it before traffic is expected.
/// Sockets and pcap handles belong to the Linux network namespace of the thread that opens them; the capture thread
/// is created by <see cref="Start"/> and inherits the namespace of the thread that calls it.
/// <see cref="IDisposable.Dispose"/> stops the thread and joins it within 2 s, releases the socket or pcap handle and
/// never throws; it may be called more than once.
/// </remarks>
public interface ICaptureSource : IDisposable
{
    /// <summary>The layer the delivered packets come from.</summary>
    CaptureLayer Layer { get; }

    /// <summary>What the source reads, in words, e.g. "libpcap on eth0 (datalink), filter 'tcp dst port 8080'".</summary>
    string Description { get; }

    /// <summary>Where the source is in its life.</summary>
    CaptureStatus Status { get; }

    /// <summary>Why the capture failed when <see cref="Status"/> is <see cref="CaptureStatus.Failed"/>; otherwise null.</summary>
    string? FailureReason { get; }

    /// <summary>Current counters; cheap to read from any thread.</summary>
    CaptureSourceStatistics Statistics { get; }

    /// <summary>Starts the capture thread(s) and returns at once.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    void Start(ICaptureSink sink);
}
