namespace TcpReplay.Engine.Connections;

/// <summary>TCP sequence number comparison modulo 2^32 (RFC 9293 §3.4): a is before b when b - a, signed, is positive.</summary>
internal static class SequenceNumbers
{
    public static bool LessThan(uint a, uint b) => (int)(a - b) < 0;

    public static bool LessOrEqual(uint a, uint b) => (int)(a - b) <= 0;

    public static bool GreaterThan(uint a, uint b) => (int)(a - b) > 0;

    public static bool GreaterOrEqual(uint a, uint b) => (int)(a - b) >= 0;

    public static uint Max(uint a, uint b) => GreaterThan(a, b) ? a : b;
}
