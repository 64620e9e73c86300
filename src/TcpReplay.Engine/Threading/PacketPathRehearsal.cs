using System.Buffers.Binary;
using System.Diagnostics;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Threading;

/// <summary>
/// Plays made-up copied connections through a private copy engine whose packets go nowhere, round after round, until
/// the runtime has swapped the per-packet code for its optimized version; a timeline started after it does not run
/// on first-tier code while the JIT recompiles that code on another thread.
/// </summary>
/// <remarks>
/// <see cref="JitWarmUp"/> compiles each method once, at the first tier. The runtime recompiles a method with full
/// optimization only after it has been called 30 times, counted from 100 ms after the last first-tier compilation,
/// on a background thread: a replay that starts cold spends its first second on slow code, with that thread taking
/// a share of the 2 cores. Measured in the offline lab (10,000 data segments at speed 1): 300 of the 420 segments
/// more than 1 ms late came in the first second. Each round here posts client frames and the target's answers
/// through the engine's queue and processes them as its thread does. With dynamic PGO a method is compiled twice
/// more after its first tier (instrumented, then optimized), each after its own count and delay; the rounds stop
/// once no method of the process has been compiled for three pauses of 100 ms in a row, or at the budget.
/// </remarks>
internal static class PacketPathRehearsal
{
    /// <summary>Connections per round, and data segments (each answered) per connection.</summary>
    internal const int Connections = 8;
    internal const int Segments = 40;

    private const int MinimumRounds = 3;
    private const int QuietPausesToStop = 3;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    // Addresses of the lab's range; nothing made here reaches a socket.
    private const uint Client = 0xC612_000A;
    private const uint Online = 0xC612_0014;
    private const uint Target = 0xC612_001E;
    private const ushort ServicePort = 8080;
    private const int RequestBytes = 120;
    private const int AnswerBytes = 200;

    /// <summary>Rehearses the copy path of <paramref name="pacing"/> for at most <paramref name="budget"/>.</summary>
    /// <returns>How many rounds were played, and how many client data segments the copier forwarded in them (all of
    /// them, <see cref="Connections"/> × <see cref="Segments"/> a round, when the made-up traffic drives the real path).</returns>
    public static (int Rounds, long DataSegmentsForwarded) Run(PacingMode pacing, TimeSpan budget, CancellationToken cancellation = default)
    {
        IPv4Network.TryParse("198.19.255.0/24", out var fake);
        var sender = new LastSegmentSender();
        using var engine = new CopyEngine(new CopyEngineOptions
        {
            Transfers = [new Transfer(0, ServicePort, Target, ServicePort)],
            FakeClientNetworks = [fake],
            Pacing = pacing,
        }, sender, new UnattachedChannel());

        var started = Stopwatch.GetTimestamp();
        var rounds = 0;
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        var still = 0;
        while (!cancellation.IsCancellationRequested && Stopwatch.GetElapsedTime(started) < budget)
        {
            PlayRound(engine, sender, rounds);
            rounds++;
            cancellation.WaitHandle.WaitOne(Pause);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            still = now == compiled ? still + 1 : 0;
            compiled = now;
            if (rounds >= MinimumRounds && still >= QuietPausesToStop)
            {
                break;
            }
        }

        return (rounds, sender.DataSegments);
    }

    private static void PlayRound(CopyEngine engine, LastSegmentSender sender, int round)
    {
        Span<byte> ip = stackalloc byte[1600];
        Span<byte> options = stackalloc byte[8];
        var optionLength = SegmentWriter.WriteSynOptions(options, 1460, 7);
        ReadOnlySpan<byte> request = stackalloc byte[RequestBytes];
        ReadOnlySpan<byte> answer = stackalloc byte[AnswerBytes];
        for (var c = 0; c < Connections; c++)
        {
            var clientPort = (ushort)(20000 + (((round * Connections) + c) % 40000));
            const uint ClientIsn = 1_000, OnlineIsn = 900_000, TargetIsn = 5_000_000;
            var length = SegmentWriter.Write(ip, Client, clientPort, Online, ServicePort, ClientIsn, 0, TcpFlags.Syn, 64240, options[..optionLength], [], 1);
            PostClient(engine, ip[..length]);
            if (!sender.TryTakeSyn(out var fakeAddress, out var fakePort))
            {
                continue;
            }

            length = SegmentWriter.Write(ip, Target, ServicePort, fakeAddress, fakePort, TargetIsn, ClientIsn + 1, TcpFlags.Syn | TcpFlags.Ack, 65535, options[..optionLength], [], 1);
            PostTarget(engine, ip[..length]);
            for (var s = 0; s < Segments; s++)
            {
                var sequence = ClientIsn + 1 + (uint)(s * RequestBytes);
                length = SegmentWriter.Write(ip, Client, clientPort, Online, ServicePort, sequence, OnlineIsn + 1 + (uint)(s * AnswerBytes), TcpFlags.Ack | TcpFlags.Psh, 502, [], request, 1);
                PostClient(engine, ip[..length]);
                length = SegmentWriter.Write(ip, Target, ServicePort, fakeAddress, fakePort, TargetIsn + 1 + (uint)(s * AnswerBytes), sequence + RequestBytes, TcpFlags.Ack | TcpFlags.Psh, 65535, [], answer, 1);
                PostTarget(engine, ip[..length]);
            }

            // The client's reset ends the copy at once (no close held for the target's quiet).
            length = SegmentWriter.Write(ip, Client, clientPort, Online, ServicePort, ClientIsn + 1 + (Segments * RequestBytes), 0, TcpFlags.Rst, 0, [], [], 1);
            PostClient(engine, ip[..length]);
        }

        engine.RunTimers(engine.NowNanoseconds());
    }

    /// <summary>As a capture thread hands a frame over: an Ethernet frame in a pooled buffer, then the engine's turn.</summary>
    private static void PostClient(CopyEngine engine, ReadOnlySpan<byte> ipPacket)
    {
        var buffer = engine.Pool.Rent();
        var frame = buffer.Array.AsSpan();
        frame[..12].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);
        ipPacket.CopyTo(frame[14..]);
        buffer.Length = 14 + ipPacket.Length;
        engine.PostClientPacket(buffer, LinkType.Ethernet);
        engine.ProcessQueued(engine.NowNanoseconds());
    }

    /// <summary>As an intercept link hands a record over, then the engine's turn.</summary>
    private static void PostTarget(CopyEngine engine, ReadOnlySpan<byte> ipPacket)
    {
        engine.PostTargetPacket(ipPacket);
        engine.ProcessQueued(engine.NowNanoseconds());
    }

    /// <summary>Sends nothing; remembers the fake endpoint of the last SYN the copier sent, for the made-up target's answer.</summary>
    private sealed class LastSegmentSender : IPacketSender
    {
        private uint _synAddress;
        private ushort _synPort;
        private bool _synSeen;

        public long DataSegments { get; private set; }

        public int Send(ReadOnlySpan<byte> ipPacket, uint destination)
        {
            // The copier's segments here: an IPv4 header of 20 bytes, then TCP.
            var ip = new Ipv4HeaderPeek(ipPacket);
            var tcp = new TcpHeaderPeek(ipPacket[Ipv4Fields.MinimumHeaderLength..]);
            if (ipPacket.Length > Ipv4Fields.MinimumHeaderLength + tcp.HeaderLength)
            {
                DataSegments++;
            }

            if (tcp.HasFixedHeader && (tcp.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
            {
                _synAddress = ip.SourceAddress;
                _synPort = tcp.SourcePort;
                _synSeen = true;
            }

            return 0;
        }

        public bool TryTakeSyn(out uint address, out ushort port)
        {
            (address, port) = (_synAddress, _synPort);
            var seen = _synSeen;
            _synSeen = false;
            return seen;
        }

        public void Dispose()
        {
        }
    }

    /// <summary>An intercept link that is up and tells no intercept anything.</summary>
    private sealed class UnattachedChannel : IInterceptChannel
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
