namespace TcpReplay.Engine.Hosting;

/// <summary>
/// The frames between a session and its copier process: the session asks (start, records, stop), the host answers and
/// pushes its status by itself. The numbers are the wire's: a retired one is not reused.
/// </summary>
internal enum HostFrameType : byte
{
    /// <summary>Session → host: the copy's options; the frame after the hellos.</summary>
    Start = 1,

    /// <summary>Host → session: the copy (or replay) runs; a status follows in the same frame.</summary>
    Started = 2,

    /// <summary>Host → session: the copy could not start (capture error kind, or -1, and the message).</summary>
    StartFailed = 3,

    /// <summary>Host → session, unasked, a few times a second: the copy's status, counters and new events.</summary>
    Status = 5,

    ConnectionsRequest = 6,

    Connections = 7,

    ExchangesRequest = 8,

    Exchanges = 9,

    /// <summary>Session → host: stop the copy; the host answers with <see cref="Stopped"/> and exits.</summary>
    Stop = 10,

    /// <summary>Host → session: the final status, connection records and exchanges.</summary>
    Stopped = 11,

    /// <summary>
    /// The first frame each way: the <see cref="HostProtocol.Version"/> the side speaks and, from the host, its build
    /// identity; a session refuses a host of another version before it sends the copy's options.
    /// </summary>
    Hello = 12,

    /// <summary>Session → host: an offline replay's options, instead of <see cref="Start"/>; the host answers as to Start.</summary>
    StartReplay = 13,

    /// <summary>Host → session, unasked: the replay has played its files (its final status was pushed just before); the text says so in words.</summary>
    Completed = 14,
}
