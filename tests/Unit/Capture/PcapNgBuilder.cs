using System.Buffers.Binary;
using System.Text;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>
/// Builds pcapng files block by block. Each <see cref="Section"/> switches the byte order of what follows,
/// as a new Section Header Block does in a real file.
/// </summary>
internal sealed class PcapNgBuilder
{
    public const uint ShbType = 0x0A0D0D0A;
    public const uint IdbType = 1;
    public const uint PbType = 2;
    public const uint SpbType = 3;
    public const uint NrbType = 4;
    public const uint IsbType = 5;
    public const uint EpbType = 6;
    public const uint DsbType = 10;
    public const uint CustomType = 0x00000BAD;
    public const uint CustomNoCopyType = 0x40000BAD;

    private readonly MemoryStream _bytes = new();
    private bool _bigEndian;

    /// <summary>Start offset and length of every block, in file order.</summary>
    public List<(long Offset, long Length, uint Type)> Blocks { get; } = [];

    public long Length => _bytes.Length;

    public PcapNgBuilder Section(bool bigEndian = false, ushort major = 1, ushort minor = 0, byte[]? options = null)
    {
        _bigEndian = bigEndian;
        var body = new List<byte>();
        body.AddRange(UInt32Bytes(0x1A2B3C4D));
        body.AddRange(UInt16Bytes(major));
        body.AddRange(UInt16Bytes(minor));
        body.AddRange(UInt64Bytes(ulong.MaxValue)); // section length not given
        body.AddRange(options ?? []);
        return Block(ShbType, [.. body]);
    }

    public PcapNgBuilder Interface(LinkType linkType, uint snapLength = 0, byte? tsresol = null, long? tsoffset = null, string? name = null)
    {
        var options = new List<(ushort, byte[])>();
        if (name is not null)
        {
            options.Add((2, Encoding.UTF8.GetBytes(name)));
        }

        if (tsresol is { } resolution)
        {
            options.Add((9, [resolution]));
        }

        if (tsoffset is { } offset)
        {
            options.Add((14, UInt64Bytes((ulong)offset)));
        }

        return InterfaceWithOptions(linkType, snapLength, options.Count == 0 ? [] : Options([.. options]));
    }

    public PcapNgBuilder InterfaceWithOptions(LinkType linkType, uint snapLength, byte[] options)
    {
        var body = new List<byte>();
        body.AddRange(UInt16Bytes((ushort)linkType));
        body.AddRange(UInt16Bytes(0));
        body.AddRange(UInt32Bytes(snapLength));
        body.AddRange(options);
        return Block(IdbType, [.. body]);
    }

    public PcapNgBuilder Enhanced(uint interfaceId, ulong timestamp, byte[] data, uint? originalLength = null, byte[]? options = null)
    {
        var body = new List<byte>();
        body.AddRange(UInt32Bytes(interfaceId));
        body.AddRange(UInt32Bytes((uint)(timestamp >> 32)));
        body.AddRange(UInt32Bytes((uint)timestamp));
        body.AddRange(UInt32Bytes((uint)data.Length));
        body.AddRange(UInt32Bytes(originalLength ?? (uint)data.Length));
        body.AddRange(Padded(data));
        body.AddRange(options ?? []);
        return Block(EpbType, [.. body]);
    }

    public PcapNgBuilder Simple(uint originalLength, byte[] data)
    {
        var body = new List<byte>();
        body.AddRange(UInt32Bytes(originalLength));
        body.AddRange(Padded(data));
        return Block(SpbType, [.. body]);
    }

    public PcapNgBuilder ObsoletePacket(ushort interfaceId, ulong timestamp, byte[] data, uint? originalLength = null)
    {
        var body = new List<byte>();
        body.AddRange(UInt16Bytes(interfaceId));
        body.AddRange(UInt16Bytes(0)); // drops count
        body.AddRange(UInt32Bytes((uint)(timestamp >> 32)));
        body.AddRange(UInt32Bytes((uint)timestamp));
        body.AddRange(UInt32Bytes((uint)data.Length));
        body.AddRange(UInt32Bytes(originalLength ?? (uint)data.Length));
        body.AddRange(Padded(data));
        return Block(PbType, [.. body]);
    }

    /// <summary>Appends a block with the given body (padded to 4 bytes) and matching lengths.</summary>
    public PcapNgBuilder Block(uint type, byte[] body)
    {
        byte[] padded = Padded(body);
        uint length = (uint)(12 + padded.Length);
        return RawBlock(type, length, padded, length);
    }

    /// <summary>Appends a block with lengths as given, for corrupt-length cases.</summary>
    public PcapNgBuilder RawBlock(uint type, uint leadingLength, byte[] body, uint trailingLength)
    {
        Blocks.Add((_bytes.Length, 12 + body.Length, type));
        _bytes.Write(UInt32Bytes(type));
        _bytes.Write(UInt32Bytes(leadingLength));
        _bytes.Write(body);
        _bytes.Write(UInt32Bytes(trailingLength));
        return this;
    }

    public byte[] Options(params (ushort Code, byte[] Value)[] options)
    {
        var bytes = new List<byte>();
        foreach ((ushort code, byte[] value) in options)
        {
            bytes.AddRange(UInt16Bytes(code));
            bytes.AddRange(UInt16Bytes((ushort)value.Length));
            bytes.AddRange(Padded(value));
        }

        bytes.AddRange(UInt32Bytes(0)); // opt_endofopt
        return [.. bytes];
    }

    public byte[] UInt16Bytes(ushort value)
    {
        byte[] b = new byte[2];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        }

        return b;
    }

    public byte[] UInt32Bytes(uint value)
    {
        byte[] b = new byte[4];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        return b;
    }

    public byte[] UInt64Bytes(ulong value)
    {
        byte[] b = new byte[8];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        }

        return b;
    }

    public byte[] ToArray() => _bytes.ToArray();

    private static byte[] Padded(byte[] data)
    {
        byte[] padded = new byte[(data.Length + 3) & ~3];
        data.CopyTo(padded, 0);
        return padded;
    }
}
