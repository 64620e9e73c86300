namespace TcpReplay.Engine.Transmit;

/// <summary>
/// A sender that can hold packets and send them together in one system call: the copy engine holds what it sends
/// while it works through a batch of events, and flushes before it waits for more.
/// </summary>
public interface IBatchingPacketSender : IPacketSender
{
    /// <summary>Keeps a copy of the packet for the next <see cref="Flush"/>.</summary>
    /// <returns>False when the batch is full or the packet too large for it: flush, then hold again or <see cref="IPacketSender.Send"/> it.</returns>
    bool TryHold(ReadOnlySpan<byte> ipPacket, uint destination);

    /// <summary>Sends the held packets in order and reports each outcome.</summary>
    void Flush(ISendOutcome outcome);
}
