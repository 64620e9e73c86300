namespace TcpReplay.Engine.Connections;

/// <summary>The copier's side of the channel to its intercepts, as the copy engine uses it.</summary>
public interface IInterceptChannel
{
    /// <summary>At least one intercept link is up.</summary>
    bool IsConnected { get; }

    /// <summary>Tells every intercept that the target's packets to this fake endpoint belong to this copier.</summary>
    void AddClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort);

    /// <summary>Forgets a fake endpoint (nothing goes on the wire: intercept 1.x only logs a DEL).</summary>
    void RemoveClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort);
}
