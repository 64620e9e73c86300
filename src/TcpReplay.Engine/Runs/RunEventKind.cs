namespace TcpReplay.Engine.Runs;

/// <summary>What a <see cref="RunEvent"/> is about.</summary>
public enum RunEventKind
{
    /// <summary>The capture: the layer Auto chose and why, a capture that went silent or came back.</summary>
    Capture,

    /// <summary>A copier → intercept link: connecting, up, down, backing off.</summary>
    Intercept,

    /// <summary>An offline replay: the plan, damaged capture files, the end.</summary>
    Replay,

    /// <summary>Response comparison: where the online answers come from, or why they cannot.</summary>
    Comparison,

    /// <summary>The copier process: how it ended when nobody stopped it.</summary>
    Process,
}
