using System.Globalization;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// What a first pass over the capture files found: per file the capture times of its first and last selected client
/// packets, and the totals. Files are played one after the other: file k's first selected packet comes at the sum
/// of the spans of the files before it on the timeline.
/// </summary>
internal sealed class ReplayPlan
{
    public List<PlannedFile> Files { get; } = [];

    /// <summary>Selected connections over all files.</summary>
    public long Connections { get; set; }

    /// <summary>Selected client packets over all files.</summary>
    public long Packets { get; set; }

    /// <summary>Selected client packets short enough for the engine's smallest buffers.</summary>
    public long ShortPackets { get; set; }

    /// <summary>Connections left out by the filters.</summary>
    public long SkippedConnections { get; set; }

    /// <summary>Timeline span of one play in capture nanoseconds (the sum of the files' spans).</summary>
    public long Span { get; set; }

    public string Describe(OfflineReplayOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"Plan: {Files.Count} file(s), {Connections} connection(s) ({SkippedConnections} left out by the filters), {Packets} client packets over {TimeSpan.FromTicks(Span / 100).TotalSeconds:0.###} s of capture; speed {options.Speed}, {options.Loop} play(s).");
}

/// <summary>One file of a <see cref="ReplayPlan"/>.</summary>
/// <param name="Path">The file.</param>
/// <param name="FirstTimestamp">Capture time (Unix ns) of its first selected client packet: its timeline offset 0.</param>
/// <param name="LastTimestamp">Capture time of its last selected client packet.</param>
/// <param name="TimelineOffset">Where the file starts on the timeline (capture ns, unscaled).</param>
internal sealed record PlannedFile(string Path, long FirstTimestamp, long LastTimestamp, long TimelineOffset)
{
    public long Span => Math.Max(0, LastTimestamp - FirstTimestamp);
}
