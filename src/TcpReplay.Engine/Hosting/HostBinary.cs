using System.Net;

namespace TcpReplay.Engine.Hosting;

/// <summary>The value shapes of the host frames that BinaryWriter lacks: nullables, times, addresses.</summary>
internal static class HostBinary
{
    public static void WriteNullable(this BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    public static string? ReadNullableString(this BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    public static void WriteNullable(this BinaryWriter writer, long? value)
    {
        writer.Write(value.HasValue);
        writer.Write(value.GetValueOrDefault());
    }

    public static long? ReadNullableInt64(this BinaryReader reader)
    {
        var has = reader.ReadBoolean();
        var value = reader.ReadInt64();
        return has ? value : null;
    }

    public static void WriteNullable(this BinaryWriter writer, int? value) => writer.WriteNullable((long?)value);

    public static int? ReadNullableInt32(this BinaryReader reader) => (int?)reader.ReadNullableInt64();

    public static void Write(this BinaryWriter writer, TimeSpan value) => writer.Write(value.Ticks);

    public static TimeSpan ReadTimeSpan(this BinaryReader reader) => TimeSpan.FromTicks(reader.ReadInt64());

    public static void WriteNullable(this BinaryWriter writer, TimeSpan? value) => writer.WriteNullable(value?.Ticks);

    public static TimeSpan? ReadNullableTimeSpan(this BinaryReader reader) => reader.ReadNullableInt64() is { } ticks ? TimeSpan.FromTicks(ticks) : null;

    /// <summary>UTC times: the ticks, kind Utc on the way back.</summary>
    public static void Write(this BinaryWriter writer, DateTime value) => writer.Write(value.ToUniversalTime().Ticks);

    public static DateTime ReadDateTime(this BinaryReader reader) => new(reader.ReadInt64(), DateTimeKind.Utc);

    public static void WriteNullable(this BinaryWriter writer, DateTime? value) => writer.WriteNullable(value?.ToUniversalTime().Ticks);

    public static DateTime? ReadNullableDateTime(this BinaryReader reader) => reader.ReadNullableInt64() is { } ticks ? new DateTime(ticks, DateTimeKind.Utc) : null;

    public static void Write(this BinaryWriter writer, IPAddress address) => writer.Write(Addresses.FromIPAddress(address));

    public static IPAddress ReadIPAddress(this BinaryReader reader) => Addresses.ToIPAddress(reader.ReadUInt32());

    public static void Write(this BinaryWriter writer, IPEndPoint endPoint)
    {
        writer.Write(endPoint.Address);
        writer.Write((ushort)endPoint.Port);
    }

    public static IPEndPoint ReadIPEndPoint(this BinaryReader reader) => new(reader.ReadIPAddress(), reader.ReadUInt16());

    /// <summary>A count, then each item.</summary>
    public static void WriteList<T>(this BinaryWriter writer, IReadOnlyCollection<T> items, Action<BinaryWriter, T> writeItem)
    {
        writer.Write(items.Count);
        foreach (var item in items)
        {
            writeItem(writer, item);
        }
    }

    /// <summary>What <see cref="WriteList"/> wrote.</summary>
    /// <exception cref="InvalidDataException">A count below zero or above the records a copy keeps.</exception>
    public static List<T> ReadList<T>(this BinaryReader reader, Func<BinaryReader, T> readItem)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > MaxListItems)
        {
            throw new InvalidDataException($"A list of {count} items on the copier-process pipe is out of range (0..{MaxListItems}).");
        }

        var items = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(readItem(reader));
        }

        return items;
    }

    /// <summary>Above any list a copy sends: records are capped by -MaxConnections (10,000,000) plus those kept.</summary>
    private const int MaxListItems = 32 * 1024 * 1024;
}
