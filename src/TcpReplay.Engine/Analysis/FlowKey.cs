namespace TcpReplay.Engine.Analysis;

/// <summary>
/// A direction-free key of a TCP flow: both endpoints, the lower one (by address, then port) first, so that
/// the two directions of one connection find the same entry.
/// </summary>
internal readonly record struct FlowKey(UInt128 LowAddress, ushort LowPort, UInt128 HighAddress, ushort HighPort)
{
    public static FlowKey From(UInt128 sourceAddress, ushort sourcePort, UInt128 destinationAddress, ushort destinationPort)
    {
        var sourceIsLow = sourceAddress < destinationAddress || (sourceAddress == destinationAddress && sourcePort <= destinationPort);
        return sourceIsLow
            ? new FlowKey(sourceAddress, sourcePort, destinationAddress, destinationPort)
            : new FlowKey(destinationAddress, destinationPort, sourceAddress, sourcePort);
    }
}
