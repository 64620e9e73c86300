using System.Buffers.Binary;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>
/// A classic pcap file (https://www.tcpdump.org/manpages/pcap-savefile.5.html) read whole: enough
/// for the small fixtures, and independent of the engine's own capture-file reader.
/// </summary>
internal sealed class PcapFixture
{
    private PcapFixture(LinkType linkType, int snapLength, List<PcapRecord> records)
    {
        LinkType = linkType;
        SnapLength = snapLength;
        Records = records;
    }

    public LinkType LinkType { get; }

    public int SnapLength { get; }

    public IReadOnlyList<PcapRecord> Records { get; }

    public static PcapFixture Load(string name)
    {
        byte[] file = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Packets", name));
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool littleEndian = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        if (!littleEndian && BinaryPrimitives.ReadUInt32BigEndian(file) is not (0xA1B2C3D4 or 0xA1B23C4D))
        {
            throw new InvalidDataException($"{name} is not a classic pcap file.");
        }

        uint Read32(int offset) => littleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset))
            : BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset));

        var records = new List<PcapRecord>();
        int position = 24;
        while (position + 16 <= file.Length)
        {
            int capturedLength = (int)Read32(position + 8);
            int originalLength = (int)Read32(position + 12);
            records.Add(new PcapRecord(file.AsSpan(position + 16, capturedLength).ToArray(), originalLength));
            position += 16 + capturedLength;
        }

        return new PcapFixture((LinkType)(Read32(20) & 0xFFFF), (int)Read32(16), records);
    }
}

internal sealed record PcapRecord(byte[] Data, int OriginalLength);
