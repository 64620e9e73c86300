namespace TcpReplay.Engine.Offline;

/// <summary>What an offline replay knows of one client connection of the capture while it plays it.</summary>
internal sealed class ReplayFlow
{
    /// <summary>Whether the connection passed the filters (decided on its first client packet).</summary>
    public bool Selected;

    public bool HasIsn;
    public uint Isn;

    /// <summary>Capture time (Unix ns) of the connection's first client packet.</summary>
    public long FirstTimestamp;

    /// <summary>Monotonic ns when the replay handed the connection's first packet to the engine; long.MinValue before.</summary>
    public long Anchor = long.MinValue;

    /// <summary>Monotonic ns just before that hand-over: a SYN sent from the connection's port since then is its own.</summary>
    public long HandedOverFrom = long.MinValue;

    /// <summary>The client port as replayed (after a loop's fresh port), which the copier keeps as the fake port.</summary>
    public ushort Port;

    /// <summary>The latest due time given to a packet of this connection, so later ones never overtake it.</summary>
    public long LastDue = long.MinValue;

    /// <summary>Packets of this connection waiting in the deferred queue: every later one must wait behind them.</summary>
    public int Deferred;
}
