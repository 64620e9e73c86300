namespace TcpReplay.Engine.Hosting;

/// <summary>The frames between a session and its copier process (requests from the session, answers from the host).</summary>
internal enum HostFrameType : byte
{
    /// <summary>Session → host: the copy's options; the first frame.</summary>
    Start = 1,

    /// <summary>Host → session: the copy runs; a status follows in the same frame.</summary>
    Started = 2,

    /// <summary>Host → session: the copy could not start (capture error kind, or -1, and the message).</summary>
    StartFailed = 3,

    StatusRequest = 4,

    Status = 5,

    ConnectionsRequest = 6,

    Connections = 7,

    ExchangesRequest = 8,

    Exchanges = 9,

    /// <summary>Session → host: stop the copy; the host answers with <see cref="Stopped"/> and exits.</summary>
    Stop = 10,

    /// <summary>Host → session: the final status, connection records and exchanges.</summary>
    Stopped = 11,
}
