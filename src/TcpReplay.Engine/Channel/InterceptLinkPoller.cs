using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// Every link of an <see cref="InterceptClient"/> as input the copy engine's thread polls and reads itself
/// (<see cref="IPolledInput"/>), instead of a receive thread per link that wakes for each frame and then wakes the
/// engine: with C intercept's frame every millisecond on each link, that was three wake-ups where the engine's own
/// poll takes one.
/// </summary>
internal sealed class InterceptLinkPoller : IPolledInput
{
    private readonly InterceptClientLink[] _links;
    private readonly InterceptClientLink?[] _held;
    private int _heldCount;
    private Action? _wake;

    public InterceptLinkPoller(InterceptClientLink[] links)
    {
        _links = links;
        _held = new InterceptClientLink?[links.Length];
    }

    public int MaxDescriptors => _links.Length;

    public void AttachWaker(Action wake) => Volatile.Write(ref _wake, wake);

    /// <summary>Wakes the polling thread, so that its next poll includes a link that has just connected.</summary>
    public void Wake() => Volatile.Read(ref _wake)?.Invoke();

    public int AcquireDescriptors(Span<LinuxNative.PollFd> fds)
    {
        var count = 0;
        foreach (var link in _links)
        {
            if (count < fds.Length && link.AcquireForPoll(out var fd))
            {
                fds[count] = new LinuxNative.PollFd { Fd = fd, Events = LinuxNative.PollIn };
                _held[count++] = link;
            }
        }

        _heldCount = count;
        return count;
    }

    public bool ReadReady(ReadOnlySpan<LinuxNative.PollFd> fds)
    {
        for (var i = 0; i < _heldCount && i < fds.Length; i++)
        {
            if (fds[i].Revents != 0)
            {
                _held[i]!.ReadHeld();
            }
        }

        // Answers come in C intercept's frames of a millisecond (or TcpReplay's of a capture block): never a flood per se.
        return false;
    }

    public void ReleaseDescriptors()
    {
        for (var i = 0; i < _heldCount; i++)
        {
            _held[i]!.ReleaseAfterPoll();
            _held[i] = null;
        }

        _heldCount = 0;
    }
}
