namespace TcpReplay.Engine.Channel;

/// <summary>What the route table needs to know of a copier link: whether it is gone.</summary>
internal interface IRouteTarget
{
    bool IsClosed { get; }
}
