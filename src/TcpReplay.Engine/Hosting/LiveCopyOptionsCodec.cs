using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Sessions;

namespace TcpReplay.Engine.Hosting;

/// <summary>A live copy's options on the host pipe (the Start frame), every setting of the copy, channel and capture.</summary>
internal static class LiveCopyOptionsCodec
{
    public static void Write(BinaryWriter writer, LiveCopyOptions options)
    {
        var copy = options.Copy;
        writer.WriteList(copy.Transfers, (w, transfer) =>
        {
            w.Write(transfer.OnlineAddress);
            w.Write(transfer.OnlinePort);
            w.Write(transfer.TargetAddress);
            w.Write(transfer.TargetPort);
        });
        writer.WriteList(copy.FakeClientNetworks, (w, network) =>
        {
            w.Write(network.Address);
            w.Write(network.PrefixLength);
        });

        writer.Write((int)copy.Pacing);
        writer.Write(copy.HandshakeTimeout);
        writer.Write(copy.IdleTimeout);
        writer.Write(copy.MaxConnectionAge);
        writer.Write(copy.ResponseWaitTimeout);
        writer.Write(copy.DrainTimeout);
        writer.Write(copy.GapTolerance);
        writer.Write(copy.MaxConnections);
        writer.Write(copy.Mtu);
        writer.Write(copy.DefaultMss);
        writer.WriteList(copy.BystanderAddresses, (w, address) => w.Write(address));

        writer.Write(copy.RetainedRecords);
        writer.Write(copy.ExchangeLogSize);
        writer.Write(copy.ThreadNice);

        writer.WriteList(options.InterceptServers, (w, server) => w.Write(server));

        writer.Write((int)options.CaptureMode);
        writer.Write(options.Interface);
        writer.Write((int)options.SendMode);
        writer.Write(options.CompareResponses);
        writer.WriteNullable(options.CaptureBufferBytes);

        var channel = options.Channel;
        writer.Write(channel.LinksPerServer);
        writer.Write(channel.MinBackoff);
        writer.Write(channel.MaxBackoff);
        writer.Write(channel.Combined);
        writer.Write(channel.WithPayload);
        writer.Write(channel.ResponsePayloadBytes);
        writer.Write(channel.ConnectTimeout);
        writer.Write(channel.SendBufferBytes);
    }

    public static LiveCopyOptions Read(BinaryReader reader)
    {
        var transfers = reader.ReadList(r => new Transfer(r.ReadUInt32(), r.ReadUInt16(), r.ReadUInt32(), r.ReadUInt16()));
        var networks = reader.ReadList(r => new IPv4Network(r.ReadUInt32(), r.ReadInt32()));
        var copy = new CopyEngineOptions
        {
            Transfers = transfers,
            FakeClientNetworks = networks,
            Pacing = (PacingMode)reader.ReadInt32(),
            HandshakeTimeout = reader.ReadTimeSpan(),
            IdleTimeout = reader.ReadTimeSpan(),
            MaxConnectionAge = reader.ReadTimeSpan(),
            ResponseWaitTimeout = reader.ReadTimeSpan(),
            DrainTimeout = reader.ReadTimeSpan(),
            GapTolerance = reader.ReadTimeSpan(),
            MaxConnections = reader.ReadInt32(),
            Mtu = reader.ReadInt32(),
            DefaultMss = reader.ReadUInt16(),
            BystanderAddresses = new HashSet<uint>(reader.ReadList(r => r.ReadUInt32())),
            RetainedRecords = reader.ReadInt32(),
            ExchangeLogSize = reader.ReadInt32(),
            ThreadNice = reader.ReadInt32(),
        };
        return new LiveCopyOptions
        {
            Copy = copy,
            InterceptServers = reader.ReadList(r => r.ReadIPEndPoint()),
            CaptureMode = (CaptureMode)reader.ReadInt32(),
            Interface = reader.ReadString(),
            SendMode = (SendMode)reader.ReadInt32(),
            CompareResponses = reader.ReadBoolean(),
            CaptureBufferBytes = reader.ReadNullableInt32(),
            Channel = new InterceptClientOptions
            {
                LinksPerServer = reader.ReadInt32(),
                MinBackoff = reader.ReadTimeSpan(),
                MaxBackoff = reader.ReadTimeSpan(),
                Combined = reader.ReadBoolean(),
                WithPayload = reader.ReadBoolean(),
                ResponsePayloadBytes = reader.ReadInt32(),
                ConnectTimeout = reader.ReadTimeSpan(),
                SendBufferBytes = reader.ReadInt32(),
            },
        };
    }

}
