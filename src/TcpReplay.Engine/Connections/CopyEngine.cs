using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Threading;
using TcpReplay.Engine.Transmit;

namespace TcpReplay.Engine.Connections;

/// <summary>
/// Runs a copy: takes captured client packets and the target's packets reported by intercepts, plays every
/// client connection against the target, and keeps the statistics and a record per connection.
/// </summary>
/// <remarks>
/// All connection state lives on one engine thread, so nothing on the per-packet path takes a lock beyond the
/// hand-over queue. Producers call <see cref="PostClientPacket"/> and <see cref="PostTargetPacket"/> from any
/// thread. <see cref="Stop"/> returns within its timeout whatever the engine is doing.
/// </remarks>
public sealed partial class CopyEngine : IConnectionHost, ISendOutcome, IDisposable
{
    private const int BatchSize = 256;

    /// <summary>
    /// Client packets the engine may fall behind by when nothing else holds a backlog (a file read, tests, benchmarks):
    /// the producer waits for room instead, so a deep queue only lets it run ahead of the engine.
    /// </summary>
    internal const int DefaultClientQueueCapacity = 16384;

    /// <summary>
    /// Client packets a live copy's engine may fall behind by. A live capture has a kernel buffer to hold the backlog
    /// while the engine is behind (the raw socket's, or libpcap's ring), so this queue only absorbs the engine's jitter;
    /// a deeper one would hold the same backlog a second time, in the copier's memory. docs/benchmarks.md has the rates.
    /// </summary>
    internal const int LiveClientQueueCapacity = 4096;

    /// <summary>The target's answers waiting: they are taken first, so this only fills when the engine is stuck.</summary>
    internal const int AnswerQueueCapacity = 4096;

    /// <summary>How long a producer waits for room before it drops: far beyond any backlog, so only a stuck engine drops.</summary>
    private const int PostWaitMilliseconds = 1000;

    /// <summary>Room for any packet of a 1500-byte MTU behind its link header; larger ones keep their capture buffer.</summary>
    private const int SmallBufferSize = 2048;

    /// <summary>
    /// Most packets are ACKs, closes and short requests of a few hundred bytes at most: held in buffers of this size, a
    /// backlog or a window of unacknowledged segments takes a quarter of the memory it would in 2 KiB ones.
    /// </summary>
    internal const int TinyBufferSize = 512;

    /// <summary>The most a connection's queues are sized for ahead (<see cref="ExpectBacklogPerConnection"/>); beyond it they grow.</summary>
    internal const int MaxExpectedBacklog = 1024;

    /// <summary>Idle buffers each of the engine's pools keeps for reuse.</summary>
    private const int RetainedBuffers = 16384;
    private static readonly long SweepInterval = 1_000_000_000;
    private static readonly long EndedLinger = 10_000_000_000;

    // Auto's switch delivers a second copy of its overlap within CaptureOptions.SwitchOverlap (1 s) and a ring's latency.
    private static readonly long LateDuplicateWindow = 2_000_000_000;

    // How far below a mid-stream copy's start a late SYN of the same connection can lie: what the layers' overlap holds.
    private const uint LateSynReach = 1 << 20;

    private readonly PacketBufferPool _tinyPool = new(TinyBufferSize, maximumRetained: RetainedBuffers);
    private readonly IPacketSender _sender;

    // The live sender holds what the engine sends during a batch of events and sends it with one system call.
    private readonly IBatchingPacketSender? _batchingSender;
    private readonly IInterceptChannel _channel;
    private readonly TimeProvider _time;
    private readonly NanosecondClock _clock;
    private readonly EngineQueue _queue;

    // Set when the engine reads an input itself (the intercept links of a live copy): its wait is then a poll.
    private readonly PolledEngineWait? _polledWait;
    private readonly Dictionary<ulong, ReplayConnection> _byClient = [];
    private readonly Dictionary<ulong, ReplayConnection> _byFake = [];
    private readonly PriorityQueue<ReplayConnection, long> _timers = new();
    private readonly List<ReplayConnection> _scratch = [];
    private readonly FakeAddressPool _fakeAddresses;
    private readonly Func<ulong, bool> _fakeKeyInUse;
    private readonly List<CopiedConnection> _records = [];
    private readonly Lock _recordsLock = new();
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private long _nextSweep;
    private long _timersRunAt = long.MinValue;
    private long _roundTripEstimate;
    private long _nextId;
    private volatile bool _anyTargetResponse;
    private volatile bool _stopped;
    private volatile bool _refusing;

    /// <param name="options">What to copy and how.</param>
    /// <param name="sender">Where packets to the target go.</param>
    /// <param name="channel">The intercepts the engine announces its connections to.</param>
    /// <param name="clientQueueCapacity">Client packets the engine may fall behind by before their producer waits.</param>
    /// <param name="clientInput">The client capture when the engine thread reads it itself, or null.</param>
    /// <param name="answerInput">The intercept links when the engine thread reads them itself, or null.</param>
    /// <param name="batchWindow">How long a busy client capture lets packets gather between the engine's reads.</param>
    internal CopyEngine(CopyEngineOptions options, IPacketSender sender, IInterceptChannel channel, int clientQueueCapacity,
        IPolledInput? clientInput, IPolledInput? answerInput, TimeSpan batchWindow)
        : this(options, sender, channel, time: null, pool: null, clientQueueCapacity)
    {
        if (clientInput is not null || answerInput is not null)
        {
            _polledWait = new PolledEngineWait(clientInput, answerInput, _queue, batchWindow);
        }
    }

    /// <param name="options">What to copy and how.</param>
    /// <param name="sender">Where packets to the target go.</param>
    /// <param name="channel">The intercepts the engine announces its connections to.</param>
    /// <param name="time">The clock (tests use a fake one).</param>
    /// <param name="pool">The engine's 2 KiB packet buffers (tests share one).</param>
    /// <param name="clientQueueCapacity">Client packets the engine may fall behind by before their producer waits.</param>
    public CopyEngine(CopyEngineOptions options, IPacketSender sender, IInterceptChannel channel, TimeProvider? time = null, PacketBufferPool? pool = null,
        int clientQueueCapacity = DefaultClientQueueCapacity)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Transfers.Count == 0)
        {
            throw new ArgumentException("At least one transfer is needed.", nameof(options));
        }

        Options = options;
        _sender = sender;
        _batchingSender = sender as IBatchingPacketSender;
        _channel = channel;
        _time = time ?? TimeProvider.System;
        _clock = new NanosecondClock(_time);
        Pool = pool ?? new PacketBufferPool(SmallBufferSize, maximumRetained: RetainedBuffers);
        _queue = new EngineQueue(clientQueueCapacity, AnswerQueueCapacity);
        _fakeAddresses = new FakeAddressPool(options.FakeClientNetworks);
        _fakeKeyInUse = _byFake.ContainsKey;
    }

    public CopyEngineOptions Options { get; }

    public CopyStatistics Statistics { get; } = new();

    public PacketBufferPool Pool { get; }

    public DateTime UtcNow => _time.GetUtcNow().UtcDateTime;

    public bool AnyTargetResponseSeen => _anyTargetResponse;

    public int ExpectedBacklogPerConnection { get; private set; }

    public bool InterceptConnected => _channel.IsConnected;

    /// <summary>Events refused because the queue stayed full (the engine stuck) or the engine was stopping.</summary>
    public long QueueDrops => Statistics.EngineQueueDrops;

    /// <summary>Events waiting for the engine thread now.</summary>
    internal int QueuedEvents => _queue.Count;

    /// <summary>Connections in the table now (open, plus ended ones whose client is still talking).</summary>
    public int ActiveConnections { get; private set; }

    /// <summary>Starts the engine thread.</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("The copy engine is already running.");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "TcpReplay copy engine" };
        _thread.Start();
    }

    /// <summary>Hands a captured client frame to the engine, which owns the buffer from here on.</summary>
    /// <param name="buffer">The frame.</param>
    /// <param name="linkType">Its link type.</param>
    /// <param name="wakeEngine">False when more frames follow at once: the caller then calls <see cref="WakeEngine"/>
    /// after the last, and an idle engine thread wakes once for them all instead of once per frame.</param>
    /// <remarks>
    /// Capture buffers are sized for the largest packet (64 KiB, GRO); a packet that fits a small buffer is copied into
    /// one at once and the capture buffer goes straight back, so packets waiting for the target's acknowledgment hold
    /// 512 bytes or 2 KiB each, not 64 KiB.
    /// </remarks>
    public void PostClientPacket(PacketBuffer buffer, LinkType linkType, bool wakeEngine = true) =>
        PostWaiting(new EngineEvent(EngineEventKind.ClientPacket, IntoEngineBuffer(buffer), linkType), wakeEngine);

    /// <summary>Wakes the engine thread for frames posted without waking it.</summary>
    public void WakeEngine() => _queue.WakeConsumer();

    /// <summary>
    /// Hands a target packet record from an intercept (IPv4 + TCP headers as captured) and the first bytes of its
    /// payload, when the intercept passed them, to the engine; the bytes are copied. The engine holds them as the packet
    /// cut short after <paramref name="payloadPrefix"/>.
    /// </summary>
    /// <param name="record">A canonical record (<see cref="Channel.ResponseRecord"/>): IPv4 header, TCP header at byte 20.</param>
    /// <param name="payloadPrefix">The first payload bytes (at most the payload length); empty when none were passed.</param>
    /// <param name="captureTimestampNanoseconds">The intercept's capture time, nanoseconds since the Unix epoch on its clock; 0 when unknown.</param>
    public void PostTargetPacket(ReadOnlySpan<byte> record, ReadOnlySpan<byte> payloadPrefix = default, long captureTimestampNanoseconds = 0)
    {
        var headers = TargetRecordHeaderLength(record);
        if (payloadPrefix.IsEmpty && headers < record.Length && record.Length != Channel.ChannelProtocol.ResponseRecordSize)
        {
            // A whole packet, or a C intercept payload record (192 bytes) whose payload follows the TCP header.
            payloadPrefix = record[headers..];
        }

        var buffer = RentFor(headers + payloadPrefix.Length);
        buffer.TimestampNanoseconds = captureTimestampNanoseconds;

        var length = Math.Min(headers, buffer.Capacity);
        record[..length].CopyTo(buffer.Array);
        var prefix = Math.Min(payloadPrefix.Length, buffer.Capacity - length);
        payloadPrefix[..prefix].CopyTo(buffer.Array.AsSpan(length));
        buffer.Length = length + prefix;
        // An intercept link must not wait: it may serve other copiers' connections through the same intercept.
        if (_stopped || _refusing || !_queue.TryEnqueueAnswer(new EngineEvent(EngineEventKind.TargetPacket, buffer, LinkType.Ipv4)))
        {
            Refuse(buffer);
        }
    }

    /// <summary>
    /// Hands a packet the online server sent to a client (captured leaving the online host) to the engine, which owns
    /// the buffer from here on. Only used to compare the online answers with the target's.
    /// </summary>
    public void PostOnlinePacket(PacketBuffer buffer, LinkType linkType) =>
        PostWaiting(new EngineEvent(EngineEventKind.OnlinePacket, IntoEngineBuffer(buffer), linkType), wakeEngine: true);

    /// <summary>Buffers the engine holds now (packets queued, segments awaiting the target's acknowledgment, answers), both sizes.</summary>
    internal long BuffersOutstanding => Pool.Outstanding + _tinyPool.Outstanding;

    /// <summary>
    /// A packet in a capture buffer (sized for 64 KiB) is copied into the smallest engine buffer that holds it, and the
    /// capture buffer goes straight back; a packet already in an engine buffer, or too large for one, stays where it is.
    /// </summary>
    private PacketBuffer IntoEngineBuffer(PacketBuffer buffer)
    {
        if (buffer.Length > Pool.BufferSize || buffer.Owner == Pool || buffer.Owner == _tinyPool)
        {
            return buffer;
        }

        var copy = RentFor(buffer.Length);
        buffer.Span.CopyTo(copy.Array);
        copy.Length = buffer.Length;
        copy.TimestampNanoseconds = buffer.TimestampNanoseconds;
        PacketBufferPool.ReturnToOwner(buffer);
        return copy;
    }

    /// <summary>
    /// Makes buffers ahead of a backlog known to come (an offline replay at Max hands most of its capture over while the
    /// handshakes are still under way), so its producer takes them from the pools instead of allocating as it goes.
    /// </summary>
    /// <param name="tiny">Buffers for packets of up to <see cref="TinyBufferSize"/> bytes.</param>
    /// <param name="small">Buffers for longer packets of up to <see cref="Pool"/>'s size.</param>
    internal void PrepareBuffers(int tiny, int small)
    {
        Prepare(_tinyPool, Math.Min(tiny, RetainedBuffers));
        Prepare(Pool, Math.Min(small, RetainedBuffers));

        static void Prepare(PacketBufferPool pool, int count)
        {
            var made = new PacketBuffer[Math.Max(0, count)];
            for (var i = 0; i < made.Length; i++)
            {
                made[i] = pool.Rent();
            }

            foreach (var buffer in made)
            {
                pool.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Sizes each new connection's queues for the backlog of a replay at Max (its capture's client packets per
    /// connection, at most <see cref="MaxExpectedBacklog"/>), so a connection does not grow them by doublings during the
    /// burst: each growth is fresh memory, faulted in and cleared on the engine thread while the target waits.
    /// </summary>
    internal void ExpectBacklogPerConnection(long segments) =>
        ExpectedBacklogPerConnection = (int)Math.Clamp(segments, 0, MaxExpectedBacklog);

    /// <summary>The smallest engine buffer that holds <paramref name="length"/> bytes (at most <see cref="Pool"/>'s size).</summary>
    internal PacketBuffer RentFor(int length) => length <= TinyBufferSize ? _tinyPool.Rent() : Pool.Rent();

    /// <summary>IPv4 header + TCP header length of a record (IHL × 4 + data offset × 4), within the record; the whole record when it is not readable.</summary>
    private static int TargetRecordHeaderLength(ReadOnlySpan<byte> record)
    {
        if (record.Length < Ipv4Fields.MinimumHeaderLength + TcpFields.MinimumHeaderLength
            || Ipv4HeaderPeek.TryPeek(record, out var ip) != PacketParseStatus.Ok)
        {
            return record.Length;
        }

        var tcp = new TcpHeaderPeek(ip.AfterHeader);
        return tcp.HasFlags ? Math.Min(ip.HeaderLength + tcp.HeaderLength, record.Length) : record.Length;
    }

    /// <summary>Records of every connection copied (open and ended), oldest first, as a snapshot.</summary>
    public IReadOnlyList<CopiedConnection> GetConnections()
    {
        lock (_recordsLock)
        {
            return [.. _records];
        }
    }

    /// <summary>Stops the engine: open copies are reset at the target (reason Stopped), the thread ends within the timeout.</summary>
    public void Stop(TimeSpan timeout)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _refusing = true;
        _stop.Cancel();
        _queue.ReleaseProducers();
        if (_thread is { } thread && !thread.Join(timeout))
        {
            // The engine thread is a background thread stuck in a send; it will end with the process, and its eventfd too.
            return;
        }

        _polledWait?.Dispose();

        if (_thread is null)
        {
            AbortAll();
            FlushHeldPackets();
        }
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(2));

    /// <summary>
    /// Queues a client-side event, waiting while the engine is behind: the caller is a capture or replay thread, and
    /// while it waits the kernel's buffer (or the capture file) holds what comes next.
    /// </summary>
    private void PostWaiting(in EngineEvent item, bool wakeEngine)
    {
        if (_stopped || _refusing)
        {
            Refuse(item.Buffer);
            return;
        }

        if (_queue.TryEnqueueClient(item, 0, wakeEngine))
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        // A full queue means a busy engine: waking it is moot, and a waiting producer must not leave it asleep.
        var queued = _queue.TryEnqueueClient(item, PostWaitMilliseconds, wakeConsumer: true);
        Interlocked.Increment(ref Statistics.BacklogWaitsField);
        Interlocked.Add(ref Statistics.BacklogWaitTicksField, Stopwatch.GetElapsedTime(started).Ticks);
        if (!queued)
        {
            Refuse(item.Buffer);
        }
    }

    private void Refuse(PacketBuffer buffer)
    {
        Interlocked.Increment(ref Statistics.EngineQueueDropsField);
        PacketBufferPool.ReturnToOwner(buffer);
    }

    /// <summary>
    /// Refuses every packet from now on and ends the producers' waits, so a capture being stopped is not held by a
    /// full queue; the engine itself runs on until <see cref="Stop"/>.
    /// </summary>
    public void RefuseNewPackets()
    {
        _refusing = true;
        _queue.ReleaseProducers();
    }

    private void Run()
    {
        ThreadNice.TrySetForCurrentThread(Options.ThreadNice);
        var batch = new EngineEvent[BatchSize];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var now = NowNanoseconds();
                RunTimers(now);
                var wait = WaitUntilNextTimer(now);

                // Whatever the last events and timers sent leaves before the engine waits for more.
                FlushHeldPackets();
                int taken;
                if (_polledWait is null)
                {
                    taken = _queue.DequeueBatch(batch, wait);
                }
                else
                {
                    _polledWait.WaitAndRead(wait);
                    taken = _queue.DequeueBatch(batch, TimeSpan.Zero);
                }

                now = NowNanoseconds();
                for (var i = 0; i < taken; i++)
                {
                    Process(batch[i], now);
                    batch[i] = default;
                }
            }
        }
        finally
        {
            AbortAll();
            FlushHeldPackets();
            DrainQueue(batch);
        }
    }

    /// <summary>Processes one event now; the test seam drives the engine through this without a thread.</summary>
    internal void Process(in EngineEvent item, long now)
    {
        if (item.Kind == EngineEventKind.ClientPacket)
        {
            OnClientFrame(item.Buffer, item.LinkType, now);
        }
        else if (item.Kind == EngineEventKind.TargetPacket)
        {
            OnTargetRecord(item.Buffer, now);
        }
        else
        {
            OnOnlineFrame(item.Buffer, item.LinkType);
        }
    }

    /// <summary>Processes what the producers queued, now; the test seam for the Post methods without the engine thread.</summary>
    internal void ProcessQueued(long now)
    {
        var batch = new EngineEvent[BatchSize];
        int taken;
        while ((taken = _queue.DequeueBatch(batch, TimeSpan.Zero)) > 0)
        {
            for (var i = 0; i < taken; i++)
            {
                Process(batch[i], now);
            }
        }

        FlushHeldPackets();
    }

    internal long NowNanoseconds()
    {
        return _clock.Now();
    }

    private TimeSpan WaitUntilNextTimer(long now)
    {
        var due = _timers.TryPeek(out _, out var next) ? next : long.MaxValue;
        return EngineWait.Until(Math.Min(due, _nextSweep) - now);
    }

    private void DrainQueue(EngineEvent[] batch)
    {
        int taken;
        while ((taken = _queue.DequeueBatch(batch, TimeSpan.Zero)) > 0)
        {
            for (var i = 0; i < taken; i++)
            {
                PacketBufferPool.ReturnToOwner(batch[i].Buffer);
            }
        }
    }
}
