namespace TcpReplay.Engine.Reports;

/// <summary>
/// The cumulative counters of a copy at one moment. Rates come from the difference of two samples; a sample on its
/// own says how much had happened by <see cref="Time"/>.
/// </summary>
/// <param name="Time">When the counters were read, UTC.</param>
/// <param name="ClientPackets">Client packets captured so far.</param>
/// <param name="SentPackets">Client packets sent to the target so far (first transmissions).</param>
/// <param name="Connections">Connections opened so far.</param>
/// <param name="Responses">Target packets reported by the intercept so far.</param>
/// <param name="BytesSent">Client payload bytes sent to the target so far.</param>
public readonly record struct ThroughputSample(DateTime Time, long ClientPackets, long SentPackets, long Connections, long Responses, long BytesSent);
