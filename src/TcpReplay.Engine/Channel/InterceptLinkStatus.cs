using System.Net;

namespace TcpReplay.Engine.Channel;

/// <summary>A snapshot of one copier → intercept link.</summary>
/// <param name="Server">The intercept endpoint.</param>
/// <param name="Link">Index of the link among this server's links (0 … LinksPerServer − 1).</param>
/// <param name="State">State at the time of the snapshot.</param>
/// <param name="Connects">Successful connections so far.</param>
/// <param name="Failures">Failed attempts and lost connections so far.</param>
/// <param name="LastError">Why the last attempt failed or the last connection ended; null if nothing failed yet.</param>
/// <param name="ConnectedSince">UTC time the current connection was made; null unless <see cref="InterceptLinkState.Connected"/>.</param>
public sealed record InterceptLinkStatus(
    IPEndPoint Server,
    int Link,
    InterceptLinkState State,
    int Connects,
    int Failures,
    string? LastError,
    DateTime? ConnectedSince)
{
    /// <summary>The kind of the failure <see cref="LastError"/> describes; null if nothing failed yet.</summary>
    public LinkFailureKind? LastFailureKind { get; init; }
}
