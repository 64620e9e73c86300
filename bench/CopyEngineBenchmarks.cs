using BenchmarkDotNet.Attributes;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Bench;

/// <summary>
/// The copier's steady-state data path through the real engine, without its threads: on an established copied
/// connection, one operation is a captured client data segment in (rewritten and sent to the target) and the
/// target's ACK in (as an intercept reports it), both through <c>CopyEngine.Process</c>, plus the timer check the
/// engine loop makes once per batch, and the flush of what the engine held for one sendmmsg, as the loop does before
/// it waits (here after every operation: batches of one). The sender holds copies and discards them at the flush, and
/// the intercept channel is a stub, so the figure is the engine's own work. Target: 0 B allocated per operation.
/// </summary>
[MemoryDiagnoser]
public class CopyEngineBenchmarks
{
    private const uint Client = 0xC612_000A;   // 198.18.0.10
    private const uint Online = 0xC612_0014;   // 198.18.0.20
    private const uint Target = 0xC612_001E;   // 198.18.0.30
    private const ushort ClientPort = 40000;
    private const ushort OnlinePort = 8080;
    private const ushort TargetPort = 8080;
    private const uint ClientIsn = 1_000;
    private const uint OnlineIsn = 900_000;
    private const uint TargetIsn = 5_000_000;

    private readonly CountingSender _sender = new();
    private CopyEngine _engine = null!;
    private byte[] _clientTemplate = [];
    private byte[] _ackTemplate = [];
    private uint _sequence;

    /// <summary>How the copier paces the client's segments toward the target.</summary>
    [Params(PacingMode.WaitResponse, PacingMode.Timeline, PacingMode.Causal)]
    public PacingMode Pacing { get; set; }

    /// <summary>TCP payload bytes of the client's data segment (a small request, an MSS-sized upload segment).</summary>
    [Params(200, 1400)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        IPv4Network.TryParse("198.19.0.0/24", out var fake);
        _engine = new CopyEngine(new CopyEngineOptions
        {
            Transfers = [new Transfer(0, OnlinePort, Target, TargetPort)],
            FakeClientNetworks = [fake],
            Pacing = Pacing,
        }, _sender, new StubChannel());

        // The handshake: the client's SYN is captured, the copier sends its own SYN, the target answers.
        Span<byte> frame = stackalloc byte[2048];
        var length = SegmentWriter.Write(frame, Client, ClientPort, Online, OnlinePort, ClientIsn, 0, TcpFlags.Syn, 64240, [], [], 1);
        Feed(EngineEventKind.ClientPacket, frame[..length]);
        if (_sender.Sent != 1 || TcpPacket.TryParseIp(_sender.LastPacket, out var syn) != PacketParseStatus.Ok)
        {
            throw new InvalidOperationException("The copier sent no SYN to the target.");
        }

        var fakeAddress = syn.Ipv4.SourceAddress;
        var fakePort = syn.Tcp.SourcePort;
        Span<byte> options = stackalloc byte[8];
        var optionLength = SegmentWriter.WriteSynOptions(options, 1460, 7);
        length = SegmentWriter.Write(frame, Target, TargetPort, fakeAddress, fakePort, TargetIsn, ClientIsn + 1, TcpFlags.Syn | TcpFlags.Ack, 65535, options[..optionLength], [], 7);
        Feed(EngineEventKind.TargetPacket, frame[..length]);

        var payload = new byte[PayloadBytes];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        _clientTemplate = new byte[2048];
        length = SegmentWriter.Write(_clientTemplate, Client, ClientPort, Online, OnlinePort, ClientIsn + 1, OnlineIsn + 1, TcpFlags.Ack | TcpFlags.Psh, 502, [], payload, 1);
        Array.Resize(ref _clientTemplate, length);
        _ackTemplate = new byte[64];
        length = SegmentWriter.Write(_ackTemplate, Target, TargetPort, fakeAddress, fakePort, TargetIsn + 1, ClientIsn + 1, TcpFlags.Ack, 65535, [], [], 7);
        Array.Resize(ref _ackTemplate, length);
        _sequence = ClientIsn + 1;

        // Warm the connection up and check that every operation really forwards the client's segment.
        const int Check = 1000;
        var before = _sender.Sent;
        for (var i = 0; i < Check; i++)
        {
            DataSegmentAndAck();
        }

        if (_sender.Sent - before != Check)
        {
            throw new InvalidOperationException($"{Check} client data segments made the copier send {_sender.Sent - before} packets.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark]
    public int DataSegmentAndAck()
    {
        var now = _engine.NowNanoseconds();
        _engine.RunTimers(now);

        // As the capture thread does: the frame is copied into a pooled buffer; only its sequence number changes.
        var buffer = _engine.Pool.Rent();
        _clientTemplate.CopyTo(buffer.Array, 0);
        buffer.Length = _clientTemplate.Length;
        TcpPacket.TryParseIp(buffer.Array.AsSpan(0, buffer.Length), out var data);
        data.Tcp.SetSequenceNumber(_sequence);
        _sequence += (uint)PayloadBytes;
        _engine.Process(new EngineEvent(EngineEventKind.ClientPacket, buffer, LinkType.Ipv4), now);

        var ack = _engine.Pool.Rent();
        _ackTemplate.CopyTo(ack.Array, 0);
        ack.Length = _ackTemplate.Length;
        TcpPacket.TryParseIp(ack.Array.AsSpan(0, ack.Length), out var response);
        response.Tcp.SetAcknowledgmentNumber(_sequence);
        _engine.Process(new EngineEvent(EngineEventKind.TargetPacket, ack, LinkType.Ipv4), now);
        _engine.FlushHeldPackets();
        return _sender.Sent;
    }

    private void Feed(EngineEventKind kind, ReadOnlySpan<byte> ipPacket)
    {
        var buffer = _engine.Pool.Rent();
        ipPacket.CopyTo(buffer.Array);
        buffer.Length = ipPacket.Length;
        _engine.Process(new EngineEvent(kind, buffer, LinkType.Ipv4), _engine.NowNanoseconds());
        _engine.FlushHeldPackets();
    }

    /// <summary>
    /// A batching sender like the live copy's raw socket, without the system call: it holds copies of what the copier
    /// sends (in fixed arrays, no allocation) and counts them as sent at the flush; the first packet of the latest batch
    /// stays readable for the setup's checks.
    /// </summary>
    private sealed class CountingSender : IBatchingPacketSender
    {
        private const int Slots = 64;
        private readonly byte[] _slots = new byte[Slots * 2048];
        private int _held;
        private int _lastLength;

        public int Sent { get; private set; }

        public Span<byte> LastPacket => _slots.AsSpan(0, _lastLength);

        public bool TryHold(ReadOnlySpan<byte> ipPacket, uint destination)
        {
            if (_held == Slots || ipPacket.Length > 2048)
            {
                return false;
            }

            // As into sendmmsg's slots.
            ipPacket.CopyTo(_slots.AsSpan(_held == 0 ? 0 : _held * 2048));
            if (_held == 0)
            {
                _lastLength = ipPacket.Length;
            }

            _held++;
            return true;
        }

        public void Flush(ISendOutcome outcome)
        {
            if (_held > 0)
            {
                outcome.Sent(_held);
                Sent += _held;
                _held = 0;
            }
        }

        public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
        {
            Sent++;
            _lastLength = Math.Min(ipPacket.Length, 2048);
            ipPacket[.._lastLength].CopyTo(_slots);
            return 0;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>An intercept link that is up and accepts every registration.</summary>
    private sealed class StubChannel : IInterceptChannel
    {
        public bool IsConnected => true;

        public void AddClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
        {
        }

        public void RemoveClient(uint fakeAddress, ushort fakePort, uint targetAddress, ushort targetPort)
        {
        }
    }
}
