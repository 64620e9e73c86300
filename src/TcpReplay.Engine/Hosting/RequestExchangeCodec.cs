using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Hosting;

/// <summary>A finished request/answer exchange on the host pipe.</summary>
internal static class RequestExchangeCodec
{
    public static void Write(BinaryWriter writer, RequestExchange exchange)
    {
        writer.Write(exchange.ConnectionId);
        writer.Write(exchange.Request);
        writer.WriteNullable(exchange.OnlineResponseTime);
        writer.WriteNullable(exchange.TargetResponseTime);
        writer.WriteNullable(exchange.OnlineResponseBytes);
        writer.WriteNullable(exchange.TargetResponseBytes);
        writer.WriteNullable(exchange.OnlineStatusCode);
        writer.WriteNullable(exchange.TargetStatusCode);
    }

    public static RequestExchange Read(BinaryReader reader) => new(
        reader.ReadInt64(),
        reader.ReadInt64(),
        reader.ReadNullableTimeSpan(),
        reader.ReadNullableTimeSpan(),
        reader.ReadNullableInt64(),
        reader.ReadNullableInt64(),
        reader.ReadNullableInt32(),
        reader.ReadNullableInt32());
}
