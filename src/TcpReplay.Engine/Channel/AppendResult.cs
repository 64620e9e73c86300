namespace TcpReplay.Engine.Channel;

/// <summary>What became of a record handed to a copier link.</summary>
internal enum AppendResult
{
    /// <summary>In a frame on its way.</summary>
    Queued,

    /// <summary>The link's send buffer was full: the copier reads too slowly.</summary>
    Dropped,

    /// <summary>The link is closed.</summary>
    Closed,
}
