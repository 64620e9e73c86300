namespace TcpReplay.Engine.Analysis;

/// <summary>One end of a TCP connection.</summary>
public enum ConnectionSide
{
    None,
    Client,
    Server,
}
