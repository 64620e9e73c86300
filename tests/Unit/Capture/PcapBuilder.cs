using System.Buffers.Binary;

namespace TcpReplay.Engine.Tests.Capture;

/// <summary>Builds classic pcap files byte by byte, in either byte order, and records where each record starts.</summary>
internal sealed class PcapBuilder
{
    public const uint MagicMicroseconds = 0xA1B2C3D4;
    public const uint MagicNanoseconds = 0xA1B23C4D;

    private readonly MemoryStream _bytes = new();
    private readonly bool _bigEndian;

    public PcapBuilder(
        bool bigEndian = false,
        bool nanoseconds = false,
        uint linkTypeField = 1,
        uint snapLength = 65535,
        ushort major = 2,
        ushort minor = 4)
    {
        _bigEndian = bigEndian;
        UInt32(nanoseconds ? MagicNanoseconds : MagicMicroseconds);
        UInt16(major);
        UInt16(minor);
        UInt32(0); // thiszone
        UInt32(0); // sigfigs
        UInt32(snapLength);
        UInt32(linkTypeField);
    }

    /// <summary>Offset of each record header, in the order added.</summary>
    public List<long> RecordOffsets { get; } = [];

    public long Length => _bytes.Length;

    public PcapBuilder Record(uint seconds, uint fraction, byte[] data, uint? originalLength = null, uint? capturedLength = null)
    {
        RecordOffsets.Add(_bytes.Length);
        UInt32(seconds);
        UInt32(fraction);
        UInt32(capturedLength ?? (uint)data.Length);
        UInt32(originalLength ?? (uint)data.Length);
        _bytes.Write(data);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    private void UInt16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        }

        _bytes.Write(b);
    }

    private void UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        _bytes.Write(b);
    }
}
