using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// Input the engine thread reads itself between its events, instead of a thread of its own reading it and handing it
/// over: the engine waits on the input's descriptors together with its queue and reads what they hold without blocking.
/// Read this way, a frame of the target's answers costs no wake-up of a second thread and no hand-over.
/// </summary>
internal interface IPolledInput
{
    /// <summary>The most descriptors <see cref="AcquireDescriptors"/> fills.</summary>
    int MaxDescriptors { get; }

    /// <summary>Called once before the engine starts: how the input wakes a waiting engine when its descriptors change.</summary>
    void AttachWaker(Action wake);

    /// <summary>
    /// Fills <paramref name="fds"/> with the descriptors to wait on, each held open until <see cref="ReleaseDescriptors"/>
    /// even if another thread closes it meanwhile; returns how many.
    /// </summary>
    int AcquireDescriptors(Span<LinuxNative.PollFd> fds);

    /// <summary>Reads, without blocking, what the descriptors that <paramref name="fds"/> marks ready hold, and hands it on.</summary>
    /// <returns>
    /// True while the input is busy: so much arrives that it is better read on a tick of
    /// <see cref="PolledEngineWait"/>'s batch window than on each arrival.
    /// </returns>
    bool ReadReady(ReadOnlySpan<LinuxNative.PollFd> fds);

    /// <summary>Lets go of the descriptors <see cref="AcquireDescriptors"/> held.</summary>
    void ReleaseDescriptors();
}
