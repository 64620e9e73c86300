namespace TcpReplay.Engine.Channel;

/// <summary>Result of looking at the start of a combined frame.</summary>
public enum CombinedFrameStatus
{
    /// <summary>A whole frame is present.</summary>
    Ok,

    /// <summary>More bytes are needed: fewer than the count, or fewer than the records it announces.</summary>
    Incomplete,

    /// <summary>
    /// The count exceeds the maximum for the record variant; tcpcopy treats this as a broken link
    /// (tc_socket.c <c>tc_socket_cmb_rcv</c>: "num > threshold").
    /// </summary>
    CountTooLarge,
}
