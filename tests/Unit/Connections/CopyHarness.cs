using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>
/// Drives a <see cref="CopyEngine"/> without threads: client frames and target packets go in through the engine's
/// test seam, time moves only when a test says so, and every packet the copier sends is kept for inspection.
/// </summary>
internal sealed class CopyHarness
{
    public const uint Client = 0xC612000A;   // 198.18.0.10
    public const uint Online = 0xC6120014;   // 198.18.0.20
    public const uint Target = 0xC612001E;   // 198.18.0.30
    public const ushort OnlinePort = 8080;
    public const ushort TargetPort = 9090;
    public const uint TargetIsn = 5_000_000;

    public CopyHarness(PacingMode pacing = PacingMode.WaitResponse, bool interceptUp = true, IReadOnlySet<uint>? bystanders = null, int mtu = 1500,
        int clientQueueCapacity = CopyEngine.DefaultClientQueueCapacity)
    {
        Time = new ManualTimeProvider();
        Sender = new RecordingSender();
        Channel = new FakeChannel(Sender) { IsConnected = interceptUp };
        IPv4Network.TryParse("198.19.0.0/24", out var fake);
        Engine = new CopyEngine(new CopyEngineOptions
        {
            Transfers = [new Transfer(0, OnlinePort, Target, TargetPort)],
            FakeClientNetworks = [fake],
            Pacing = pacing,
            BystanderAddresses = bystanders ?? new HashSet<uint>(),
            Mtu = mtu,
        }, Sender, Channel, Time, clientQueueCapacity: clientQueueCapacity);
    }

    public ManualTimeProvider Time { get; }

    public RecordingSender Sender { get; }

    public FakeChannel Channel { get; }

    public CopyEngine Engine { get; }

    public long Now => Engine.NowNanoseconds();

    public CopiedConnection Connection => Engine.GetConnections().Last();

    /// <summary>Capture-sized buffers, for packets bigger than the engine's own (GRO-merged ones).</summary>
    private static readonly PacketBufferPool CapturePool = new();

    public void FromClient(ushort clientPort, uint seq, uint ack, TcpFlags flags, int payload = 0, ReadOnlySpan<byte> options = default, byte[]? bytes = null)
    {
        payload = bytes?.Length ?? payload;
        var buffer = payload > 1900 ? CapturePool.Rent() : Engine.Pool.Rent();
        var data = bytes ?? new byte[payload];
        for (var i = 0; bytes is null && i < payload; i++)
        {
            data[i] = (byte)('a' + (i % 26));
        }

        buffer.Length = SegmentWriter.Write(buffer.Array, Client, clientPort, Online, OnlinePort, seq, ack, flags, 502, options, data, 1);
        Engine.Process(new EngineEvent(EngineEventKind.ClientPacket, buffer, LinkType.Ipv4), Now);
    }

    public void FromClientRaw(byte[] ipPacket)
    {
        var buffer = Engine.Pool.Rent();
        ipPacket.CopyTo(buffer.Array, 0);
        buffer.Length = ipPacket.Length;
        Engine.Process(new EngineEvent(EngineEventKind.ClientPacket, buffer, LinkType.Ipv4), Now);
    }

    public void FromTarget(uint fakeAddress, ushort fakePort, uint seq, uint ack, TcpFlags flags, int payload = 0)
    {
        Span<byte> packet = stackalloc byte[2048];
        Span<byte> options = stackalloc byte[8];
        var optionLength = (flags & TcpFlags.Syn) != 0 ? SegmentWriter.WriteSynOptions(options, 1460, 7) : 0;
        var length = SegmentWriter.Write(packet, Target, TargetPort, fakeAddress, fakePort, seq, ack, flags, 65535, options[..optionLength], new byte[payload], 7);
        var buffer = Engine.Pool.Rent();
        packet[..length].CopyTo(buffer.Array);
        buffer.Length = length;
        Engine.Process(new EngineEvent(EngineEventKind.TargetPacket, buffer, LinkType.Ipv4), Now);
    }

    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        Engine.RunTimers(Now);
    }

    /// <summary>Handshake through to Established for a client connection whose SYN was captured.</summary>
    public SentSegment Establish(ushort clientPort, uint clientIsn)
    {
        FromClient(clientPort, clientIsn, 0, TcpFlags.Syn);
        var syn = Sender.Last;
        FromTarget(syn.Source, syn.SourcePort, TargetIsn, clientIsn + 1, TcpFlags.Syn | TcpFlags.Ack);
        return syn;
    }
}

internal sealed class ManualTimeProvider : TimeProvider
{
    private long _nanoseconds = 1_000_000_000;

    public override long TimestampFrequency => 1_000_000_000;

    public override long GetTimestamp() => _nanoseconds;

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero).AddTicks(_nanoseconds / 100);

    public void Advance(TimeSpan by) => _nanoseconds += by.Ticks * 100;
}

internal sealed class RecordingSender : IPacketSender
{
    public List<SentSegment> Sent { get; } = [];

    public List<string> Log { get; } = [];

    public SentSegment Last => Sent[^1];

    /// <summary>When false, packets are only counted, so an allocation test measures the engine alone.</summary>
    public bool Recording { get; set; } = true;

    public int Unrecorded { get; private set; }

    public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
    {
        if (!Recording)
        {
            Unrecorded++;
            return 0;
        }

        var segment = new SentSegment(ipPacket.ToArray());
        Sent.Add(segment);
        Log.Add($"send {segment.Flags}");
        return 0;
    }

    public void Dispose()
    {
    }
}

internal sealed class FakeChannel(RecordingSender log) : IInterceptChannel
{
    public bool IsConnected { get; set; } = true;

    public List<(uint Address, ushort Port)> Added { get; } = [];

    public void AddClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
    {
        Added.Add((fakeAddress, fakePort));
        log.Log.Add("add");
    }

    public void RemoveClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
    {
    }
}

/// <summary>A copy of a packet the copier sent, with its fields read by the engine's own parser.</summary>
internal sealed class SentSegment
{
    public SentSegment(byte[] bytes)
    {
        Bytes = bytes;
        Assert.Equal(PacketParseStatus.Ok, TcpPacket.TryParseIp(bytes, out var packet));
        Source = packet.Ipv4.SourceAddress;
        Destination = packet.Ipv4.DestinationAddress;
        SourcePort = packet.Tcp.SourcePort;
        DestinationPort = packet.Tcp.DestinationPort;
        Sequence = packet.Tcp.SequenceNumber;
        Acknowledgment = packet.Tcp.AcknowledgmentNumber;
        Flags = packet.Tcp.Flags;
        PayloadLength = packet.PayloadLength;
        Window = packet.Tcp.Window;
        ChecksumsValid = packet.VerifyChecksums();
        HasMss = packet.Tcp.TryGetMss(out var mss);
        Mss = mss;
    }

    public byte[] Bytes { get; }

    public uint Source { get; }

    public uint Destination { get; }

    public ushort SourcePort { get; }

    public ushort DestinationPort { get; }

    public uint Sequence { get; }

    public uint Acknowledgment { get; }

    public TcpFlags Flags { get; }

    public int PayloadLength { get; }

    public ushort Window { get; }

    public bool ChecksumsValid { get; }

    public bool HasMss { get; }

    public ushort Mss { get; }

    public override string ToString() => $"{Flags} seq={Sequence} ack={Acknowledgment} len={PayloadLength}";
}
