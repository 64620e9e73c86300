namespace TcpReplay.Engine.Channel;

/// <summary>
/// Sizes and constants of the copier ↔ intercept channel, identical to those compiled into
/// C tcpcopy/intercept 1.x (see docs/protocol.md for the byte layouts and their sources).
/// </summary>
/// <remarks>
/// Nothing is negotiated on the wire: both ends must agree on <see cref="ResponseRecordSize"/> versus
/// <see cref="ResponseRecordWithPayloadSize"/> and on combined versus plain framing, exactly as the
/// C programs must be built with the same <c>./configure</c> options.
/// </remarks>
public static class ChannelProtocol
{
    /// <summary>TCP port intercept listens on by default (<c>SERVER_PORT</c>, src/core/xcopy.h).</summary>
    public const int DefaultPort = 36524;

    /// <summary>Bytes of one copier → intercept record (<c>msg_clt_t</c>, packed).</summary>
    public const int ClientRecordSize = 14;

    /// <summary>
    /// Bytes intercept reads first on a new link (<c>struct msg_old_clt_s</c>): client address, client port
    /// and type. Intercept decides on these alone whether the peer speaks the versioned protocol.
    /// </summary>
    public const int ClientRecordMinSize = 8;

    /// <summary>Bytes of one intercept → copier record (<c>msg_server_t</c>): IPv4 header, TCP header, 24 option bytes.</summary>
    public const int ResponseRecordSize = 64;

    /// <summary>Bytes of one record when intercept is built <c>--with-resp-payload</c>: <see cref="ResponseRecordSize"/> + <see cref="ResponsePayloadBytes"/>.</summary>
    public const int ResponseRecordWithPayloadSize = 192;

    /// <summary>Largest response payload carried in a payload record (<c>MAX_PAYLOAD_LEN</c>); longer payloads are not carried at all.</summary>
    public const int ResponsePayloadBytes = 128;

    /// <summary>TCP option bytes a record can hold (<c>MAX_OPTION_LEN</c>).</summary>
    public const int ResponseOptionBytes = 24;

    /// <summary>Largest record count in one combined frame (<c>COMB_MAX_NUM</c>).</summary>
    public const int MaxCombinedRecords = 16;

    /// <summary>Largest record count in one combined frame with payload records (<c>COMB_MAX_NUM</c> under <c>TC_PAYLOAD</c>).</summary>
    public const int MaxCombinedRecordsWithPayload = 6;

    /// <summary>Bytes of the big-endian record count that starts a combined frame.</summary>
    public const int CombinedHeaderSize = 2;

    /// <summary>Protocol version sent in the hello (<c>INTERNAL_VERSION</c>); 6 in every 1.x release.</summary>
    public const ushort InternalVersion = 6;

    /// <summary>Record size for the chosen variant.</summary>
    public static int RecordSize(bool withPayload) => withPayload ? ResponseRecordWithPayloadSize : ResponseRecordSize;

    /// <summary>Largest combined count for the chosen variant.</summary>
    public static int MaxRecordsPerFrame(bool withPayload) => withPayload ? MaxCombinedRecordsWithPayload : MaxCombinedRecords;

    /// <summary>Largest combined frame in bytes for the chosen variant (2 + max × record size).</summary>
    public static int MaxFrameSize(bool withPayload) => CombinedHeaderSize + (MaxRecordsPerFrame(withPayload) * RecordSize(withPayload));
}
