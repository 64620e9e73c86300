using System.Buffers.Binary;
using System.Text;
using TcpReplay.Engine.Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>A random subset of the in-place rewrites, applied to a packet and remembered so the oracle can check each value.</summary>
internal sealed class RandomRewrites
{
    private readonly List<string> _log = [];

    public uint? Ipv4Source { get; private set; }
    public uint? Ipv4Destination { get; private set; }
    public ushort? SourcePort { get; private set; }
    public ushort? DestinationPort { get; private set; }
    public uint? SequenceNumber { get; private set; }
    public uint? AcknowledgmentNumber { get; private set; }
    public ushort? Window { get; private set; }
    public ushort? UrgentPointer { get; private set; }
    public TcpFlags? Flags { get; private set; }
    public byte? Ttl { get; private set; }
    public ushort? Mss { get; private set; }
    public uint? TimestampEcho { get; private set; }
    public uint? TimestampValue { get; private set; }

    public static RandomRewrites Apply(Random random, TcpPacket packet)
    {
        var applied = new RandomRewrites();
        TcpHeader tcp = packet.Tcp;
        if (packet.IpVersion == 4)
        {
            if (random.Next(2) == 0)
            {
                applied.Ipv4Destination = Next32(random);
                applied.DestinationPort = Next16(random);
                packet.RewriteIpv4Destination(applied.Ipv4Destination.Value, applied.DestinationPort.Value);
                applied._log.Add("dst");
            }

            if (random.Next(2) == 0)
            {
                applied.Ipv4Source = Next32(random);
                applied.SourcePort = Next16(random);
                packet.RewriteIpv4Source(applied.Ipv4Source.Value, applied.SourcePort.Value);
                applied._log.Add("src");
            }

            if (random.Next(4) == 0)
            {
                applied.Ttl = (byte)random.Next(0, 256);
                packet.Ipv4.SetTtl(applied.Ttl.Value);
                applied._log.Add("ttl");
            }
        }

        if (random.Next(2) == 0)
        {
            applied.SourcePort = Next16(random);
            tcp.SetSourcePort(applied.SourcePort.Value);
            applied._log.Add("sport");
        }

        if (random.Next(2) == 0)
        {
            applied.DestinationPort = Next16(random);
            tcp.SetDestinationPort(applied.DestinationPort.Value);
            applied._log.Add("dport");
        }

        if (random.Next(2) == 0)
        {
            applied.SequenceNumber = Next32(random);
            tcp.SetSequenceNumber(applied.SequenceNumber.Value);
            applied._log.Add("seq");
        }

        if (random.Next(2) == 0)
        {
            applied.AcknowledgmentNumber = Next32(random);
            tcp.SetAcknowledgmentNumber(applied.AcknowledgmentNumber.Value);
            applied._log.Add("ack");
        }

        if (random.Next(2) == 0)
        {
            applied.Window = Next16(random);
            tcp.SetWindow(applied.Window.Value);
            applied._log.Add("win");
        }

        if (random.Next(4) == 0)
        {
            applied.UrgentPointer = Next16(random);
            tcp.SetUrgentPointer(applied.UrgentPointer.Value);
            applied._log.Add("urp");
        }

        if (random.Next(4) == 0)
        {
            applied.Flags = (TcpFlags)random.Next(0, 256);
            tcp.SetFlags(applied.Flags.Value);
            applied._log.Add("flags");
        }

        if (random.Next(2) == 0)
        {
            bool hasMss = tcp.TryGetMss(out _);
            ushort mss = Next16(random);
            Assert.Equal(hasMss, tcp.TrySetMss(mss));
            applied.Mss = hasMss ? mss : null;
            applied._log.Add("mss");
        }

        if (random.Next(2) == 0)
        {
            bool hasTimestamps = tcp.TryGetTimestamps(out _, out _);
            uint echo = Next32(random);
            Assert.Equal(hasTimestamps, tcp.TrySetTimestampEcho(echo));
            applied.TimestampEcho = hasTimestamps ? echo : null;
            applied._log.Add("tsecr");
        }

        if (random.Next(4) == 0)
        {
            bool hasTimestamps = tcp.TryGetTimestamps(out _, out _);
            uint value = Next32(random);
            Assert.Equal(hasTimestamps, tcp.TrySetTimestampValue(value));
            applied.TimestampValue = hasTimestamps ? value : null;
            applied._log.Add("tsval");
        }

        return applied;
    }

    public void AssertVisibleIn(Pdn.IPPacket expected)
    {
        var tcp = (Pdn.TcpPacket)expected.PayloadPacket;
        if (Ipv4Source is uint source)
        {
            Assert.Equal(source, BinaryPrimitives.ReadUInt32BigEndian(expected.SourceAddress.GetAddressBytes()));
        }

        if (Ipv4Destination is uint destination)
        {
            Assert.Equal(destination, BinaryPrimitives.ReadUInt32BigEndian(expected.DestinationAddress.GetAddressBytes()));
        }

        Assert.Equal(SourcePort ?? tcp.SourcePort, tcp.SourcePort);
        Assert.Equal(DestinationPort ?? tcp.DestinationPort, tcp.DestinationPort);
        Assert.Equal(SequenceNumber ?? tcp.SequenceNumber, tcp.SequenceNumber);
        Assert.Equal(AcknowledgmentNumber ?? tcp.AcknowledgmentNumber, tcp.AcknowledgmentNumber);
        Assert.Equal(Window ?? tcp.WindowSize, tcp.WindowSize);
        Assert.Equal(UrgentPointer ?? (ushort)tcp.UrgentPointer, (ushort)tcp.UrgentPointer);
        Assert.Equal((byte)(Flags ?? (TcpFlags)tcp.Flags), (byte)tcp.Flags);
        Assert.Equal(Ttl ?? expected.TimeToLive, expected.TimeToLive);

        // PacketDotNet refuses to read options when URG is set.
        if (!tcp.Urgent)
        {
            var options = tcp.OptionsCollection ?? [];
            if (Mss is ushort mss)
            {
                Assert.Equal(mss, options.OfType<Pdn.Tcp.MaximumSegmentSizeOption>().First().Value);
            }

            if (TimestampEcho is uint echo)
            {
                Assert.Equal(echo, options.OfType<Pdn.Tcp.TimeStampOption>().First().EchoReply);
            }

            if (TimestampValue is uint value)
            {
                Assert.Equal(value, options.OfType<Pdn.Tcp.TimeStampOption>().First().Value);
            }
        }
    }

    public override string ToString() => new StringBuilder("rewrites: ").AppendJoin(", ", _log).ToString();

    private static uint Next32(Random random) => random.Next(8) switch
    {
        0 => 0,
        1 => uint.MaxValue,
        _ => (uint)random.NextInt64(0, 1L << 32),
    };

    private static ushort Next16(Random random) => random.Next(8) switch
    {
        0 => 0,
        1 => ushort.MaxValue,
        _ => (ushort)random.Next(0, 65536),
    };
}
