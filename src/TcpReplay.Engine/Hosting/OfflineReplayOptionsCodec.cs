using TcpReplay.Engine.Live;
using TcpReplay.Engine.Offline;

namespace TcpReplay.Engine.Hosting;

/// <summary>A replay's options on the host pipe (the StartReplay frame): the files, the window, the pace, and the copy's and channel's settings.</summary>
internal static class OfflineReplayOptionsCodec
{
    public static void Write(BinaryWriter writer, OfflineReplayOptions options)
    {
        writer.WriteList(options.Files, (w, file) => w.Write(file));
        CopyEngineOptionsCodec.Write(writer, options.Copy);
        writer.WriteList(options.InterceptServers, (w, server) => w.Write(server));
        writer.Write(options.Speed.Factor);
        writer.Write(options.Loop);
        writer.WriteNullable(options.Filter);
        WriteBound(writer, options.From);
        WriteBound(writer, options.To);
        writer.Write(options.Interface);
        writer.Write((int)options.SendMode);
        CopyEngineOptionsCodec.Write(writer, options.Channel);
        writer.Write(options.InterceptWait);
        writer.Write(options.MaxPacketsInFlight);
        writer.Write(options.RaisePriority);
    }

    public static OfflineReplayOptions Read(BinaryReader reader) => new()
    {
        Files = reader.ReadList(r => r.ReadString()),
        Copy = CopyEngineOptionsCodec.ReadCopy(reader),
        InterceptServers = reader.ReadList(r => r.ReadIPEndPoint()),
        Speed = reader.ReadDouble() is var factor && double.IsPositiveInfinity(factor) ? ReplaySpeed.Max : ReplaySpeed.FromFactor(factor),
        Loop = reader.ReadInt32(),
        Filter = reader.ReadNullableString(),
        From = ReadBound(reader),
        To = ReadBound(reader),
        Interface = reader.ReadString(),
        SendMode = (SendMode)reader.ReadInt32(),
        Channel = CopyEngineOptionsCodec.ReadChannel(reader),
        InterceptWait = reader.ReadTimeSpan(),
        MaxPacketsInFlight = reader.ReadInt32(),
        RaisePriority = reader.ReadBoolean(),
    };

    private static void WriteBound(BinaryWriter writer, CaptureTimeBound? bound)
    {
        writer.Write(bound.HasValue);
        if (bound is { } value)
        {
            writer.Write(value.IsOffset);
            writer.Write(value.Nanoseconds);
        }
    }

    /// <summary>Both kinds of bound are whole ticks (100 ns), so the ticks rebuild them exactly.</summary>
    private static CaptureTimeBound? ReadBound(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
        {
            return null;
        }

        var isOffset = reader.ReadBoolean();
        var ticks = reader.ReadInt64() / 100;
        return isOffset ? CaptureTimeBound.After(TimeSpan.FromTicks(ticks)) : CaptureTimeBound.At(DateTime.UnixEpoch.AddTicks(ticks));
    }
}
