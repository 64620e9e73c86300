using TcpReplay.Engine.Connections;

namespace TcpReplay.Engine.Hosting;

/// <summary>A copy's statistics on the host pipe: every counter, the send errors by errno, both latency histograms and the failure summary.</summary>
internal static class CopyStatisticsCodec
{
    public static void Write(BinaryWriter writer, CopyStatistics statistics)
    {
        statistics.VisitCounters((ref long counter) => writer.Write(Volatile.Read(ref counter)));
        var errors = statistics.SendErrorsByErrno;
        writer.Write(errors.Count);
        foreach (var (errno, count) in errors)
        {
            writer.Write(errno);
            writer.Write(count);
        }

        statistics.OnlineResponseTimes.WriteTo(writer);
        statistics.TargetResponseTimes.WriteTo(writer);
        writer.WriteList(statistics.FailureReasons, (w, reason) =>
        {
            w.Write((int)reason.CloseReason);
            w.Write((int)reason.HandshakeFailure);
            w.Write(reason.Count);
            w.Write(reason.ExampleClient);
            w.WriteNullable(reason.Remedy);
        });
    }

    /// <summary>Overwrites the mirror's figures with those <see cref="Write"/> wrote; readers see each counter whole.</summary>
    public static void ReadInto(BinaryReader reader, CopyStatistics mirror)
    {
        mirror.VisitCounters((ref long counter) => Volatile.Write(ref counter, reader.ReadInt64()));
        var count = reader.ReadInt32();
        var errors = new Dictionary<int, long>(count);
        for (var i = 0; i < count; i++)
        {
            errors[reader.ReadInt32()] = reader.ReadInt64();
        }

        mirror.ReplaceSendErrors(errors);
        mirror.OnlineResponseTimes.ReadFrom(reader);
        mirror.TargetResponseTimes.ReadFrom(reader);
        mirror.ReplaceFailureReasons(reader.ReadList(r => new FailureReason(
            (CloseReason)r.ReadInt32(), (HandshakeFailure)r.ReadInt32(), r.ReadInt64(), r.ReadString(), r.ReadNullableString())));
    }
}
