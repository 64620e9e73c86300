using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Capture;

/// <summary>Receives the packets a <see cref="ICaptureSource"/> captures.</summary>
public interface ICaptureSink
{
    /// <summary>
    /// Called on a capture thread for each packet, never on two threads at once for one source.
    /// Ownership of <paramref name="buffer"/> passes to the sink, which must return it to its pool exactly once
    /// (at once, or after handing it on). The call should return quickly: while it runs, the capture does not read,
    /// and the kernel queue fills.
    /// </summary>
    /// <param name="buffer">The packet, starting at its link-layer header as <paramref name="linkType"/> says;
    /// <see cref="PacketBuffer.TimestampNanoseconds"/> is the capture time (Unix epoch, UTC).</param>
    /// <param name="linkType">The link-layer header type of the packet.</param>
    void OnPacket(PacketBuffer buffer, LinkType linkType);
}
