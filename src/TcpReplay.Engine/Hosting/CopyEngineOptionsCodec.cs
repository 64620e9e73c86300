using TcpReplay.Engine.Channel;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;

namespace TcpReplay.Engine.Hosting;

/// <summary>The settings a live copy and a replay share on the host pipe: the copy engine's and the intercept channel's.</summary>
internal static class CopyEngineOptionsCodec
{
    public static void Write(BinaryWriter writer, CopyEngineOptions copy)
    {
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
    }

    public static void Write(BinaryWriter writer, InterceptClientOptions channel)
    {
        writer.Write(channel.LinksPerServer);
        writer.Write(channel.MinBackoff);
        writer.Write(channel.MaxBackoff);
        writer.Write(channel.Combined);
        writer.Write(channel.WithPayload);
        writer.Write(channel.ResponsePayloadBytes);
        writer.Write(channel.ConnectTimeout);
        writer.Write(channel.SendBufferBytes);
    }

    public static CopyEngineOptions ReadCopy(BinaryReader reader)
    {
        var transfers = reader.ReadList(r => new Transfer(r.ReadUInt32(), r.ReadUInt16(), r.ReadUInt32(), r.ReadUInt16()));
        var networks = reader.ReadList(r => new IPv4Network(r.ReadUInt32(), r.ReadInt32()));
        return new CopyEngineOptions
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
    }

    public static InterceptClientOptions ReadChannel(BinaryReader reader) => new()
    {
        LinksPerServer = reader.ReadInt32(),
        MinBackoff = reader.ReadTimeSpan(),
        MaxBackoff = reader.ReadTimeSpan(),
        Combined = reader.ReadBoolean(),
        WithPayload = reader.ReadBoolean(),
        ResponsePayloadBytes = reader.ReadInt32(),
        ConnectTimeout = reader.ReadTimeSpan(),
        SendBufferBytes = reader.ReadInt32(),
    };
}
