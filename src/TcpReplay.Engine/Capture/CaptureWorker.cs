using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// The dedicated thread of one capture source: start, stop flag, bounded join, failure status, and the release of
/// the native handle exactly once.
/// </summary>
/// <remarks>
/// The handle is released by the capture thread itself when its loop ends (or by <see cref="Dispose"/> when the
/// thread never started). So a stop that outlives the join timeout (a sink that blocks) never frees the handle under
/// a running read: the pcap data pointer or the socket stays valid until the loop has let go of it.
/// </remarks>
internal sealed class CaptureWorker
{
    /// <summary>Dispose waits this long for the thread.</summary>
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(2);

    private readonly string _threadName;
    private readonly Action<CaptureWorker> _loop;
    private readonly Action _release;
    private readonly int _threadNice;
    private readonly object _gate = new();
    private Thread? _thread;
    private int _stopRequested;
    private int _released;
    private bool _disposed;
    private volatile CaptureStatus _status = CaptureStatus.Created;
    private volatile string? _failureReason;

    /// <param name="threadName">Name of the capture thread (shown by debuggers and in dumps).</param>
    /// <param name="loop">The capture loop: runs until <see cref="StopRequested"/>, or calls <see cref="Fail"/> and returns.</param>
    /// <param name="release">Closes the native handle; called once.</param>
    /// <param name="threadNice">The capture thread's nice value (Linux); 0 leaves it as inherited.</param>
    public CaptureWorker(string threadName, Action<CaptureWorker> loop, Action release, int threadNice = 0)
    {
        _threadName = threadName;
        _loop = loop;
        _release = release;
        _threadNice = threadNice;
    }

    public bool StopRequested => Volatile.Read(ref _stopRequested) != 0;

    public CaptureStatus Status => _status;

    public string? FailureReason => _failureReason;

    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null)
            {
                throw new InvalidOperationException("The capture was already started.");
            }

            // A dedicated thread, not the thread pool: the loop blocks in poll() for its whole life.
            // The new thread inherits the network namespace of the calling thread (clone(2) copies it).
            _thread = new Thread(Run) { IsBackground = true, Name = _threadName };
            _status = CaptureStatus.Running;
            _thread.Start();
        }
    }

    /// <summary>
    /// Marks the capture running without a thread of its own: another thread reads the handle (a source read by the
    /// engine's poll). <see cref="Dispose"/> then releases the handle on the disposing thread.
    /// </summary>
    public void StartPolled()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _status = CaptureStatus.Running;
        }
    }

    /// <summary>Ends the capture on an error; the loop returns after calling it.</summary>
    public void Fail(string reason)
    {
        _failureReason = reason;
        _status = CaptureStatus.Failed;
        Volatile.Write(ref _stopRequested, 1);
    }

    /// <summary>Asks the loop to stop at its next poll; does not wait.</summary>
    public void RequestStop() => Volatile.Write(ref _stopRequested, 1);

    /// <summary>Stops the loop, waits for it up to <see cref="JoinTimeout"/>, releases the handle; never throws.</summary>
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

        RequestStop();
        if (thread is null)
        {
            Release();
        }
        else if (thread != Thread.CurrentThread)
        {
            // The loop polls with a timeout of at most 1 s, so this returns well before the limit unless a sink blocks.
            thread.Join(JoinTimeout);
        }

        if (_status == CaptureStatus.Running || _status == CaptureStatus.Created)
        {
            _status = CaptureStatus.Stopped;
        }
    }

    private void Run()
    {
        try
        {
            ThreadNice.TrySetForCurrentThread(_threadNice);
            _loop(this);
        }
        catch (Exception ex)
        {
            // An exception escaping a thread would end the process; a capture that breaks must only end itself.
            Fail($"The capture loop failed unexpectedly: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            Release();
            if (_status == CaptureStatus.Running)
            {
                _status = CaptureStatus.Stopped;
            }
        }
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            try
            {
                _release();
            }
            catch (Exception)
            {
                // Closing a handle has nothing useful to report to a caller that is shutting down, and Dispose must not throw.
            }
        }
    }
}
