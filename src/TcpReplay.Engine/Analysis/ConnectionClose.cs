namespace TcpReplay.Engine.Analysis;

/// <summary>How a TCP connection in a capture ended, as far as the capture shows.</summary>
public enum ConnectionClose
{
    /// <summary>Neither FIN nor RST seen: still open when the capture stopped, or cut off.</summary>
    None,

    /// <summary>One side sent FIN, the other did not (yet).</summary>
    HalfClosed,

    /// <summary>Both sides sent FIN.</summary>
    Fin,

    /// <summary>A side sent RST.</summary>
    Reset,
}
