using System.Net;

namespace TcpReplay.Engine.Channel;

/// <summary>Settings of an <see cref="InterceptServer"/>; <see cref="Combined"/> and <see cref="WithPayload"/> must match the copiers.</summary>
public sealed class InterceptServerOptions
{
    /// <summary>Where copiers connect (intercept <c>-b</c>/<c>-p</c>); port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; set; } = new(IPAddress.Any, ChannelProtocol.DefaultPort);

    /// <summary>Send combined frames (the C default; C intercept <c>--disable-combined</c> turns it off).</summary>
    public bool Combined { get; set; } = true;

    /// <summary>Send 192-byte payload records (C intercept <c>--with-resp-payload</c>).</summary>
    public bool WithPayload { get; set; }

    /// <summary>
    /// Most response payload bytes granted to a copier that asks for them (<see cref="ResponsePayloadExtension"/>, TcpReplay's
    /// extension); 0 declines every request. Copiers that do not ask (C tcpcopy) get 64-byte records either way.
    /// Ignored with <see cref="WithPayload"/>, whose fixed 192-byte records leave no room to negotiate.
    /// </summary>
    public int ResponsePayloadLimit { get; set; }

    /// <summary>Period of the timer that pushes partly filled combined frames (<c>CHECK_INTERVAL</c>, 2 ms).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How long an unrouted SYN or RST waits for its CLIENT_ADD (<c>OUTPUT_INTERVAL</c>, 30 s, tc_delay.c).</summary>
    public TimeSpan ParkTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most records parked at once; when full the oldest is dropped. 0 disables parking.</summary>
    public int MaxParked { get; set; } = 65536;

    /// <summary>
    /// Largest record count per combined frame (intercept <c>-n</c>); 0 means the protocol maximum (16, or 6 with payload).
    /// The adaptive count starts here and moves between 1 and this value as in tc_combine.c.
    /// </summary>
    public int CombineLimit { get; set; }

    /// <summary>
    /// Route by client address, client port and target port only (C intercept built <c>--dnat</c>), for targets
    /// whose responses leave with a different source address than the one the copier sent to.
    /// </summary>
    public bool IgnoreTargetAddress { get; set; }

    /// <summary>
    /// Most routes remembered. Copiers never withdraw a route (CLIENT_DEL is not sent), so the least recently used
    /// half is forgotten when the table fills, as C intercept evicts the oldest item of a full slot.
    /// </summary>
    public int MaxRoutes { get; set; } = 1 << 20;

    /// <summary>Bytes of frames each copier link may have waiting to be sent; beyond that records are dropped and counted.</summary>
    public int SendBufferBytes { get; set; } = 512 * 1024;

    /// <summary>Payload bytes the extension may grant: <see cref="ResponsePayloadLimit"/>, or 0 with <see cref="WithPayload"/>.</summary>
    internal int ExtensionPayloadLimit => WithPayload ? 0 : ResponsePayloadLimit;

    /// <summary>Size of the records <see cref="InterceptServer.Route"/> builds before each link cuts them to its own size.</summary>
    internal int RoutedRecordSize => ExtensionPayloadLimit > 0 ? ResponsePayloadExtension.RecordSize(ExtensionPayloadLimit) : ChannelProtocol.RecordSize(WithPayload);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Listen);
        if (FlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FlushInterval), FlushInterval, "FlushInterval must be positive.");
        }

        if (ParkTime < TimeSpan.Zero || MaxParked < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxParked), MaxParked, "ParkTime and MaxParked must not be negative.");
        }

        if (CombineLimit < 0 || CombineLimit > ChannelProtocol.MaxRecordsPerFrame(WithPayload))
        {
            throw new ArgumentOutOfRangeException(nameof(CombineLimit), CombineLimit, $"CombineLimit must be 0 to {ChannelProtocol.MaxRecordsPerFrame(WithPayload)}.");
        }

        if (ResponsePayloadLimit < 0 || ResponsePayloadLimit > ResponsePayloadExtension.MaxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(ResponsePayloadLimit), ResponsePayloadLimit, $"ResponsePayloadLimit must be 0 to {ResponsePayloadExtension.MaxPayloadBytes}.");
        }

        if (MaxRoutes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRoutes), MaxRoutes, "MaxRoutes must be at least 2.");
        }

        if (SendBufferBytes < ChannelProtocol.MaxFrameSize(WithPayload) * 4)
        {
            throw new ArgumentOutOfRangeException(nameof(SendBufferBytes), SendBufferBytes, "The send buffer must hold at least 4 full frames.");
        }
    }
}
