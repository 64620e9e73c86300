namespace TcpReplay.Engine.Channel;

/// <summary>State of one copier → intercept TCP link.</summary>
public enum InterceptLinkState
{
    /// <summary>A connection attempt is under way.</summary>
    Connecting,

    /// <summary>Connected; the hello has been queued and records flow.</summary>
    Connected,

    /// <summary>The last attempt failed or the link was lost; waiting before the next attempt.</summary>
    Backoff,

    /// <summary>The client was disposed; the link will not connect again.</summary>
    Stopped,
}
