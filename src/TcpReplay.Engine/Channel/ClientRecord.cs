using System.Buffers.Binary;

namespace TcpReplay.Engine.Channel;

/// <summary>
/// One 14-byte copier → intercept record (<c>msg_clt_t</c>, src/communication/tc_msg.h, packed):
/// client address (4), client port (2), type (2), target address (4), target port (2), every field big-endian.
/// </summary>
/// <param name="ClientAddress">IPv4 address of the (fake) client, as the number the big-endian wire bytes spell (198.19.0.1 = 0xC6130001).</param>
/// <param name="ClientPort">Client TCP port, host-order number of the big-endian wire value.</param>
/// <param name="Type">Record type; in the hello this field carries the protocol version instead.</param>
/// <param name="TargetAddress">IPv4 address of the target server, host-order number of the big-endian wire value.</param>
/// <param name="TargetPort">Target TCP port, host-order number of the big-endian wire value.</param>
public readonly record struct ClientRecord(uint ClientAddress, ushort ClientPort, ClientRecordType Type, uint TargetAddress, ushort TargetPort)
{
    private const int ClientAddressOffset = 0;
    private const int ClientPortOffset = 4;
    private const int TypeOffset = 6;
    private const int TargetAddressOffset = 8;
    private const int TargetPortOffset = 12;

    /// <summary>
    /// The first record tcpcopy sends on every link (tc_manager.c <c>send_version</c>): all zero except the type,
    /// which carries <see cref="ChannelProtocol.InternalVersion"/>.
    /// </summary>
    public static ClientRecord Hello { get; } = new(0, 0, (ClientRecordType)ChannelProtocol.InternalVersion, 0, 0);

    /// <summary>
    /// True when this has the shape intercept accepts as a hello: client address and port zero
    /// (tc_interception.c <c>tc_msg_event_proc</c> checks nothing else). Only the first record of a link is a hello.
    /// </summary>
    public bool IsHello => ClientAddress == 0 && ClientPort == 0;

    /// <summary>The protocol version a hello announces (the raw <see cref="Type"/> field).</summary>
    public ushort Version => (ushort)Type;

    /// <summary>Writes the 14 wire bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="ChannelProtocol.ClientRecordSize"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < ChannelProtocol.ClientRecordSize)
        {
            ChannelThrowHelper.ThrowDestinationTooShort(nameof(destination), ChannelProtocol.ClientRecordSize);
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[ClientAddressOffset..], ClientAddress);
        BinaryPrimitives.WriteUInt16BigEndian(destination[ClientPortOffset..], ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[TypeOffset..], (ushort)Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[TargetAddressOffset..], TargetAddress);
        BinaryPrimitives.WriteUInt16BigEndian(destination[TargetPortOffset..], TargetPort);
    }

    /// <summary>Reads the first 14 bytes of <paramref name="source"/>; any type value is accepted.</summary>
    /// <returns>False, with <paramref name="record"/> default, when fewer than 14 bytes are given.</returns>
    public static bool TryRead(ReadOnlySpan<byte> source, out ClientRecord record)
    {
        if (source.Length < ChannelProtocol.ClientRecordSize)
        {
            record = default;
            return false;
        }

        record = new ClientRecord(
            BinaryPrimitives.ReadUInt32BigEndian(source[ClientAddressOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[ClientPortOffset..]),
            (ClientRecordType)BinaryPrimitives.ReadUInt16BigEndian(source[TypeOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[TargetAddressOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[TargetPortOffset..]));
        return true;
    }
}
