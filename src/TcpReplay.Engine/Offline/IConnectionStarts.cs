namespace TcpReplay.Engine.Offline;

/// <summary>When the copier really sent each connection's SYN to the target, by the connection's client port.</summary>
internal interface IConnectionStarts
{
    /// <summary>
    /// The monotonic time (ns) of the latest SYN sent from <paramref name="clientPort"/> at or after
    /// <paramref name="notBefore"/>; false when none has been sent yet.
    /// </summary>
    bool TryGetStart(ushort clientPort, long notBefore, out long sentAt);
}
