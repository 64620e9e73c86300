using System.Diagnostics;

namespace TcpReplay.Engine.Capture;

/// <summary>
/// Tells a capture when its port is busy: from <see cref="BusyPackets"/> packets delivered within one batch window on,
/// the reader lets the next packets gather for a window instead of waking for each (a capture thread sleeps; the
/// engine's poll reads on a tick). Below it, a few connections opening now and then, a packet is handed over at once.
/// </summary>
internal struct BusyWindow(TimeSpan window)
{
    public const int BusyPackets = 8;

    private readonly long _windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
    private long _start;
    private int _packets;

    /// <summary>Counts <paramref name="delivered"/> more packets; true when the current window has had enough to call the port busy.</summary>
    public bool Add(int delivered)
    {
        if (_windowTicks <= 0)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        if (now - _start > _windowTicks)
        {
            _start = now;
            _packets = 0;
        }

        _packets += delivered;
        return _packets >= BusyPackets;
    }
}
