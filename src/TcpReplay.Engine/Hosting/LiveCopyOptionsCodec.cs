using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Live;

namespace TcpReplay.Engine.Hosting;

/// <summary>A live copy's options on the host pipe (the Start frame), every setting of the copy, channel and capture.</summary>
internal static class LiveCopyOptionsCodec
{
    public static void Write(BinaryWriter writer, LiveCopyOptions options)
    {
        CopyEngineOptionsCodec.Write(writer, options.Copy);
        writer.WriteList(options.InterceptServers, (w, server) => w.Write(server));

        writer.Write((int)options.CaptureMode);
        writer.Write(options.Interface);
        writer.Write((int)options.SendMode);
        writer.Write(options.CompareResponses);
        writer.WriteNullable(options.CaptureBufferBytes);
        CopyEngineOptionsCodec.Write(writer, options.Channel);
    }

    public static LiveCopyOptions Read(BinaryReader reader) => new()
    {
        Copy = CopyEngineOptionsCodec.ReadCopy(reader),
        InterceptServers = reader.ReadList(r => r.ReadIPEndPoint()),
        CaptureMode = (CaptureMode)reader.ReadInt32(),
        Interface = reader.ReadString(),
        SendMode = (SendMode)reader.ReadInt32(),
        CompareResponses = reader.ReadBoolean(),
        CaptureBufferBytes = reader.ReadNullableInt32(),
        Channel = CopyEngineOptionsCodec.ReadChannel(reader),
    };
}
