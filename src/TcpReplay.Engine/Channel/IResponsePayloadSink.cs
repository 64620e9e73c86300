namespace TcpReplay.Engine.Channel;

/// <summary>
/// An <see cref="IResponseSink"/> that also takes the payload bytes a link carries with the
/// <see cref="ResponsePayloadExtension"/>. <see cref="InterceptClient"/> calls this method instead of
/// <see cref="IResponseSink.OnResponse"/> when the sink implements it; same threads and rules.
/// </summary>
public interface IResponsePayloadSink : IResponseSink
{
    /// <summary>One response record and the first bytes of the response's payload.</summary>
    /// <param name="record">The 64-byte canonical record; borrowed for the call only.</param>
    /// <param name="payloadPrefix">The first payload bytes carried (empty when none, or the link has no payload extension); borrowed for the call only.</param>
    /// <param name="captureTimestampNanoseconds">When the intercept captured the packet, nanoseconds since the Unix epoch (its clock); 0 when unknown.</param>
    /// <param name="interceptIndex">Index of the intercept in the server list given to the client.</param>
    void OnResponse(ReadOnlySpan<byte> record, ReadOnlySpan<byte> payloadPrefix, long captureTimestampNanoseconds, int interceptIndex);
}
