namespace TcpReplay.Engine.Channel;

/// <summary>
/// The <c>type</c> field of a copier → intercept record (<c>CLIENT_ADD</c>/<c>CLIENT_DEL</c>, src/core/xcopy.h),
/// sent big-endian. The hello carries <see cref="ChannelProtocol.InternalVersion"/> in the same field instead.
/// </summary>
public enum ClientRecordType : ushort
{
    /// <summary>Route responses for this client/target pair to the link the record arrived on.</summary>
    Add = 1,

    /// <summary>Defined by the protocol but never sent by tcpcopy; intercept only logs it.</summary>
    Delete = 2,

    /// <summary>TcpReplay's request for response payload bytes (<see cref="ResponsePayloadExtension"/>); C intercept ignores it.</summary>
    ResponsePayloadRequest = ResponsePayloadExtension.RequestType,
}
