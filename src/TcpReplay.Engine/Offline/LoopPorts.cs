namespace TcpReplay.Engine.Offline;

/// <summary>
/// Fresh client ports for the repeated plays of a looped replay, so the target sees new connections each time
/// (a reused 4-tuple would meet the previous play's socket, or look like a retransmission).
/// </summary>
internal static class LoopPorts
{
    private const int First = 1024;
    private const int Range = 65536 - First;

    // A prime shift: play n moves every port by n * Stride within 1024-65535, a bijection per play, and a port returns
    // to its first value only after 64512 plays.
    private const int Stride = 7919;

    /// <summary>The client port to use in play <paramref name="loop"/> (0-based) for <paramref name="port"/>; ports below 1024 are kept.</summary>
    public static ushort Fresh(ushort port, int loop)
    {
        if (loop == 0 || port < First)
        {
            return port;
        }

        var shifted = ((long)(port - First) + ((long)loop * Stride)) % Range;
        return (ushort)(First + shifted);
    }
}
