using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Hosting;

/// <summary>A connection record on the host pipe, every field; the record read back is a snapshot of the host's.</summary>
internal static class CopiedConnectionCodec
{
    public static void Write(BinaryWriter writer, CopiedConnection connection)
    {
        writer.Write(connection.Id);
        writer.Write(connection.ClientAddress);
        writer.Write((ushort)connection.ClientPort);
        writer.Write(connection.OnlineAddress);
        writer.Write((ushort)connection.OnlinePort);
        writer.Write(connection.FakeClientAddress);
        writer.Write((ushort)connection.FakeClientPort);
        writer.Write(connection.TargetAddress);
        writer.Write((ushort)connection.TargetPort);
        writer.Write(connection.StartTime);
        writer.WriteNullable(connection.EndTime);
        writer.Write(connection.SynSeen);
        writer.WriteNullable(connection.HandshakeRtt);
        writer.Write(connection.ClientPackets);
        writer.Write(connection.ClientBytes);
        writer.Write(connection.SentPackets);
        writer.Write(connection.SentBytes);
        writer.Write(connection.Requests);
        writer.Write(connection.Responses);
        writer.Write(connection.OnlineResponses);
        writer.Write(connection.OnlinePackets);
        writer.Write(connection.OnlineBytes);
        writer.WriteNullable(connection.OnlineResponseTimeAverage);
        writer.WriteNullable(connection.OnlineResponseTimeMax);
        writer.WriteNullable(connection.TargetResponseTimeAverage);
        writer.WriteNullable(connection.TargetResponseTimeMax);
        writer.WriteNullable(connection.LastOnlineStatusCode);
        writer.WriteNullable(connection.LastTargetStatusCode);
        writer.Write(connection.StatusMismatches);
        writer.Write(connection.SizeMismatches);
        writer.Write(connection.TargetAnsweredNothing);
        writer.Write(connection.ResponsePackets);
        writer.Write(connection.ResponseBytes);
        writer.Write(connection.Retransmissions);
        writer.Write(connection.DuplicatesDropped);
        writer.Write((int)connection.CloseReason);
        writer.Write((int)connection.HandshakeFailure);
        writer.WriteNullable(connection.CloseDetail);
        writer.Write(connection.CloseHeld);
        writer.Write(connection.AnswerHolds);
        writer.Write(connection.AnswerHeld);
        writer.Write(connection.AnswerWaitTimeouts);
    }

    public static CopiedConnection Read(BinaryReader reader)
    {
        var id = reader.ReadInt64();
        var client = reader.ReadUInt32();
        var clientPort = reader.ReadUInt16();
        var online = reader.ReadUInt32();
        var onlinePort = reader.ReadUInt16();
        var fake = reader.ReadUInt32();
        var fakePort = reader.ReadUInt16();
        var target = new Transfer(online, onlinePort, reader.ReadUInt32(), reader.ReadUInt16());
        return new CopiedConnection(id, client, clientPort, online, onlinePort, fake, fakePort, target, reader.ReadDateTime())
        {
            EndTime = reader.ReadNullableDateTime(),
            SynSeen = reader.ReadBoolean(),
            HandshakeRtt = reader.ReadNullableTimeSpan(),
            ClientPackets = reader.ReadInt64(),
            ClientBytes = reader.ReadInt64(),
            SentPackets = reader.ReadInt64(),
            SentBytes = reader.ReadInt64(),
            Requests = reader.ReadInt64(),
            Responses = reader.ReadInt64(),
            OnlineResponses = reader.ReadInt64(),
            OnlinePackets = reader.ReadInt64(),
            OnlineBytes = reader.ReadInt64(),
            OnlineResponseTimeAverage = reader.ReadNullableTimeSpan(),
            OnlineResponseTimeMax = reader.ReadNullableTimeSpan(),
            TargetResponseTimeAverage = reader.ReadNullableTimeSpan(),
            TargetResponseTimeMax = reader.ReadNullableTimeSpan(),
            LastOnlineStatusCode = reader.ReadNullableInt32(),
            LastTargetStatusCode = reader.ReadNullableInt32(),
            StatusMismatches = reader.ReadInt64(),
            SizeMismatches = reader.ReadInt64(),
            TargetAnsweredNothing = reader.ReadBoolean(),
            ResponsePackets = reader.ReadInt64(),
            ResponseBytes = reader.ReadInt64(),
            Retransmissions = reader.ReadInt64(),
            DuplicatesDropped = reader.ReadInt64(),
            CloseReason = (CloseReason)reader.ReadInt32(),
            HandshakeFailure = (HandshakeFailure)reader.ReadInt32(),
            CloseDetail = reader.ReadNullableString(),
            CloseHeld = reader.ReadTimeSpan(),
            AnswerHolds = reader.ReadInt64(),
            AnswerHeld = reader.ReadTimeSpan(),
            AnswerWaitTimeouts = reader.ReadInt64(),
        };
    }
}
