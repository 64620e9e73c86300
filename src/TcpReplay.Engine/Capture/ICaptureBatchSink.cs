namespace TcpReplay.Engine.Capture;

/// <summary>
/// A <see cref="ICaptureSink"/> that also wants to know when a capture has handed over everything one wake-up
/// brought, so it can pass on at once what it gathered from those packets.
/// </summary>
public interface ICaptureBatchSink : ICaptureSink
{
    /// <summary>Called on the capture thread after the packets of one wake-up, when there were any.</summary>
    void OnBatchDelivered();
}
