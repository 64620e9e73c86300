using TcpReplay.Engine.Packets;
using Pdn = PacketDotNet;

namespace TcpReplay.Engine.Tests.Packets;

/// <summary>Compares every field our views read with what PacketDotNet reads from the same bytes.</summary>
internal static class OracleAssert
{
    public static void PacketMatches(Pdn.IPPacket expected, TcpPacket actual)
    {
        var expectedTcp = (Pdn.TcpPacket)expected.PayloadPacket;
        Assert.Equal(expected is Pdn.IPv4Packet ? 4 : 6, actual.IpVersion);
        Assert.Equal(IpAddress128.FromIPAddress(expected.SourceAddress), actual.SourceAddress128);
        Assert.Equal(IpAddress128.FromIPAddress(expected.DestinationAddress), actual.DestinationAddress128);
        if (expected is Pdn.IPv4Packet v4)
        {
            Ipv4Matches(v4, actual.Ipv4);
            Assert.Equal(v4.TotalLength - (v4.HeaderLength * 4) - (expectedTcp.DataOffset * 4), actual.PayloadLength);
        }
        else
        {
            var v6 = (Pdn.IPv6Packet)expected;
            Ipv6Matches(v6, actual.Ipv6);
            Assert.Equal(v6.PayloadLength - v6.ExtensionHeadersLength - (expectedTcp.DataOffset * 4), actual.PayloadLength);
        }

        TcpMatches(expectedTcp, actual.Tcp);
        if (!actual.IsTruncated)
        {
            bool expectedValid = expected is Pdn.IPv4Packet ipv4
                ? ipv4.ValidIPChecksum && expectedTcp.ValidTcpChecksum
                : expectedTcp.ValidTcpChecksum;
            Assert.Equal(expectedValid, actual.VerifyChecksums());
        }
    }

    public static void Ipv4Matches(Pdn.IPv4Packet expected, Ipv4Header actual)
    {
        Assert.Equal(expected.HeaderLength * 4, actual.HeaderLength);
        Assert.Equal(expected.TotalLength, actual.TotalLength);
        Assert.Equal((byte)expected.Protocol, actual.Protocol);
        Assert.Equal(expected.TimeToLive, actual.Ttl);
        Assert.Equal(expected.Id, actual.Identification);
        Assert.Equal(expected.DifferentiatedServices, actual.DifferentiatedServices);
        Assert.Equal((expected.FragmentFlags & 2) != 0, actual.DontFragment);
        Assert.Equal((expected.FragmentFlags & 1) != 0, actual.MoreFragments);
        Assert.Equal(expected.FragmentOffset * 8, actual.FragmentOffset);
        Assert.Equal(expected.SourceAddress, new System.Net.IPAddress(BigEndian(actual.SourceAddress)));
        Assert.Equal(expected.DestinationAddress, new System.Net.IPAddress(BigEndian(actual.DestinationAddress)));
        Assert.Equal(expected.Checksum, actual.HeaderChecksum);
        Assert.Equal(expected.ValidIPChecksum, actual.IsHeaderChecksumValid);
        Assert.Equal(expected.HeaderData.AsSpan(20).ToArray(), actual.Options.ToArray());
    }

    public static void Ipv6Matches(Pdn.IPv6Packet expected, Ipv6Header actual)
    {
        Assert.Equal(expected.PayloadLength, actual.PayloadLength);
        Assert.Equal((byte)expected.NextHeader, actual.NextHeader);
        Assert.Equal((byte)expected.Protocol, actual.UpperLayerProtocol);
        Assert.Equal(40 + expected.ExtensionHeadersLength, actual.UpperLayerOffset);
        Assert.Equal(expected.HopLimit, actual.HopLimit);
        Assert.Equal(expected.TrafficClass, actual.TrafficClass);
        Assert.Equal(expected.FlowLabel, actual.FlowLabel);
        Assert.Equal(expected.SourceAddress.GetAddressBytes(), actual.SourceAddress.ToArray());
        Assert.Equal(expected.DestinationAddress.GetAddressBytes(), actual.DestinationAddress.ToArray());
    }

    public static void TcpMatches(Pdn.TcpPacket expected, TcpHeader actual)
    {
        Assert.Equal(expected.SourcePort, actual.SourcePort);
        Assert.Equal(expected.DestinationPort, actual.DestinationPort);
        Assert.Equal(expected.SequenceNumber, actual.SequenceNumber);
        Assert.Equal(expected.AcknowledgmentNumber, actual.AcknowledgmentNumber);
        Assert.Equal(expected.DataOffset * 4, actual.HeaderLength);
        Assert.Equal((byte)expected.Flags, (byte)actual.Flags);
        Assert.Equal(expected.Synchronize, actual.Flags.HasFlag(TcpFlags.Syn));
        Assert.Equal(expected.Finished, actual.Flags.HasFlag(TcpFlags.Fin));
        Assert.Equal(expected.Reset, actual.Flags.HasFlag(TcpFlags.Rst));
        Assert.Equal(expected.Acknowledgment, actual.Flags.HasFlag(TcpFlags.Ack));
        Assert.Equal(expected.WindowSize, actual.Window);
        Assert.Equal(expected.Checksum, actual.Checksum);
        Assert.Equal((ushort)expected.UrgentPointer, actual.UrgentPointer);

        // PacketDotNet's Options getter throws when URG is set, so the header bytes are compared instead.
        Assert.Equal(expected.HeaderData.AsSpan(20).ToArray(), actual.Options.ToArray());
        byte[] expectedPayload = expected.PayloadData ?? [];
        Assert.Equal(expectedPayload.AsSpan(0, Math.Min(expectedPayload.Length, actual.Payload.Length)).ToArray(), actual.Payload.ToArray());
        if (!expected.Urgent)
        {
            OptionsMatch(expected, actual);
        }
    }

    private static void OptionsMatch(Pdn.TcpPacket expected, TcpHeader actual)
    {
        var expectedOptions = (expected.OptionsCollection ?? [])
            .Where(o => o.Kind is not (Pdn.Tcp.OptionTypes.EndOfOptionList or Pdn.Tcp.OptionTypes.NoOperation))
            .ToList();

        // The walk stops at End of Option List; PacketDotNet parses the padding after it as more
        // options, which in well-formed lists are all End of Option List and filtered out above.
        var actualOptions = new List<(byte Kind, byte[] Data)>();
        foreach (TcpOption option in actual.EnumerateOptions())
        {
            actualOptions.Add(((byte)option.Kind, option.Data.ToArray()));
        }

        Assert.Equal(expectedOptions.Select(o => ((byte)o.Kind, o.Bytes.AsSpan(2, o.Length - 2).ToArray())), actualOptions);

        var mss = expectedOptions.OfType<Pdn.Tcp.MaximumSegmentSizeOption>().FirstOrDefault();
        Assert.Equal(mss is not null, actual.TryGetMss(out ushort actualMss));
        Assert.Equal(mss?.Value ?? 0, actualMss);

        var scale = expectedOptions.OfType<Pdn.Tcp.WindowScaleFactorOption>().FirstOrDefault();
        Assert.Equal(scale is not null, actual.TryGetWindowScale(out byte actualShift));
        Assert.Equal(scale?.ScaleFactor ?? 0, actualShift);

        var timestamps = expectedOptions.OfType<Pdn.Tcp.TimeStampOption>().FirstOrDefault();
        Assert.Equal(timestamps is not null, actual.TryGetTimestamps(out uint value, out uint echo));
        Assert.Equal(timestamps?.Value ?? 0, value);
        Assert.Equal(timestamps?.EchoReply ?? 0, echo);

        Assert.Equal(expectedOptions.OfType<Pdn.Tcp.SelectiveAcknowledgmentPermittedOption>().Any(), actual.HasSackPermitted);
    }

    private static byte[] BigEndian(uint value)
        => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
