using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Sessions;

namespace TcpReplay.Engine.Live;

/// <summary>
/// A running live copy as its session sees it: figures, records and a stop. <see cref="LiveCopy"/> runs in this
/// process; <see cref="Hosting.CopierProcess"/> runs the same copy in a small process of its own and mirrors it here.
/// </summary>
public interface ILiveCopy : IDisposable
{
    CopyStatistics Statistics { get; }

    /// <summary>The capture layer in use (Auto decides after its probe).</summary>
    CaptureLayer CaptureLayer { get; }

    /// <summary>Why that layer: what the Auto probe measured, or that it was asked for.</summary>
    string? CaptureReason { get; }

    /// <summary>What the capture reads: the layer, interface, ring size and filter; null before it opened.</summary>
    string? CaptureDescription { get; }

    CaptureSourceStatistics? CaptureStatistics { get; }

    IReadOnlyList<InterceptLinkStatus> InterceptLinks { get; }

    bool InterceptConnected { get; }

    long InterceptReconnects { get; }

    /// <summary>Notable events in words, oldest first.</summary>
    IReadOnlyList<string> Events { get; }

    /// <summary>Response payload bytes the intercepts granted: -1 not asked or no answer yet, 0 declined.</summary>
    int ResponsePayloadGranted { get; }

    /// <summary>What the online answer capture reads, or why it is off; null when not asked for.</summary>
    string? OnlineAnswerCaptureDescription { get; }

    /// <summary>Copied connections not ended yet.</summary>
    int OpenConnections { get; }

    /// <summary>The process that runs the copy engine; null when it is this process.</summary>
    int? EngineProcessId { get; }

    IReadOnlyList<CopiedConnection> GetConnections();

    IReadOnlyList<RequestExchange> GetExchanges();

    /// <summary>Stops capturing and resets the open copies at the target; returns within 2 s.</summary>
    void Stop();
}
