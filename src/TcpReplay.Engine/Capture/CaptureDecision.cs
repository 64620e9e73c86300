namespace TcpReplay.Engine.Capture;

/// <summary>What <see cref="AutoCapture"/> chose, and why in words a user can act on.</summary>
/// <param name="Layer">The layer kept: <see cref="CaptureLayer.IpLayer"/> (raw socket) or <see cref="CaptureLayer.Datalink"/> (libpcap).</param>
/// <param name="Reason">Why, e.g. "the IP layer saw 0 of 20 client packets for port 8080 that the datalink saw: ...; using libpcap on eth0".</param>
/// <param name="IpLayerPackets">Client packets for the ports the raw socket read while probing.</param>
/// <param name="DatalinkPackets">Client packets for the ports libpcap read while probing.</param>
public sealed record CaptureDecision(CaptureLayer Layer, string Reason, long IpLayerPackets, long DatalinkPackets);
