using System.Runtime.CompilerServices;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture.Files;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;
using TcpReplay.Engine.Runs;
using TcpReplay.Engine.Statistics;
using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Offline;

public sealed partial class OfflineReplay
{
    /// <summary>At Max, client packets posted before the engine thread is woken for them.</summary>
    private const int PostsPerWakeAtMax = 32;

    private const int RaisedNice = -10;

    /// <summary>The copy engine thread's name as the kernel keeps it (15 characters).</summary>
    private const string EngineThreadName = "TcpReplay copy ";

    /// <summary>The intercept links' receive and send threads' name as the kernel keeps it.</summary>
    private const string LinkThreadName = "TcpReplay inter";
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RehearsalBudget = TimeSpan.FromSeconds(1.5);

    /// <summary>First pass: which files hold selected client packets, their spans, the totals, and the damage.</summary>
    private ReplayPlan Plan()
    {
        var plan = new ReplayPlan();
        var selector = NewSelector();
        foreach (var path in _options.Files)
        {
            long first = long.MaxValue, last = long.MinValue;
            var reader = TryOpen(path, report: true);
            if (reader is null)
            {
                continue;
            }

            using (reader)
            {
                while (reader.TryReadNext(out var record))
                {
                    if (selector.Classify(record.LinkType, record.Data, record.OriginalLength, record.TimestampNanoseconds, out _) != RecordVerdict.Replay)
                    {
                        continue;
                    }

                    plan.Packets++;
                    if (record.Data.Length <= CopyEngine.TinyBufferSize)
                    {
                        plan.ShortPackets++;
                    }

                    first = Math.Min(first, record.TimestampNanoseconds);
                    last = Math.Max(last, record.TimestampNanoseconds);
                }

                if (reader.Error is { } error)
                {
                    var problem = new CaptureFileProblem(path, reader.RecordsRead, error, null);
                    _problems.Add(problem);
                    Raise($"Capture damaged: {problem}. The {reader.RecordsRead} records before it are replayed.");
                }
            }

            if (first != long.MaxValue)
            {
                var file = new PlannedFile(path, first, last, plan.Span);
                plan.Files.Add(file);
                plan.Span += file.Span;
            }
        }

        plan.Connections = selector.SelectedConnections;
        plan.SkippedConnections = selector.SkippedConnections;
        return plan;
    }

    private ConnectionSelector NewSelector() => new(_options.Copy.Transfers, _filter, _options.From, _options.To);

    private CaptureFileReader? TryOpen(string path, bool report)
    {
        try
        {
            return CaptureFileReader.Open(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            if (report)
            {
                var problem = new CaptureFileProblem(path, 0, null, exception.Message);
                _problems.Add(problem);
                Raise($"Capture unreadable: {problem}");
            }

            return null;
        }
    }

    private void Run()
    {
        if (_waits is null)
        {
            SystemWaitPrimitives.ReduceTimerSlack();
            if (_options.RaisePriority)
            {
                ThreadNice.TrySetForCurrentThread(RaisedNice);
                // Only this replay's engine thread: the ones named so before it started belong to other copies.
                foreach (var tid in ThreadNice.ThreadsNamed(EngineThreadName))
                {
                    if (!_enginesBefore.Contains(tid))
                    {
                        ThreadNice.TryRaise(tid, RaisedNice);
                    }
                }
            }
        }

        var cancellation = _stop.Token;
        try
        {
            // The packet path compiles, and is rehearsed until it runs optimized, while the intercept links come up
            // on their own threads. Compiled ahead of time (the native copier host), it is optimized from the start.
            _phase = ReplayPhase.WaitingForIntercept;
            if (_waits is null && RuntimeFeature.IsDynamicCodeSupported)
            {
                JitWarmUp.PreparePacketPath();
                PacketPathRehearsal.Run(_options.Copy.Pacing, RehearsalBudget, cancellation);
            }

            if (_options.Speed.IsMax)
            {
                PrepareMaxBacklog();
            }

            WaitForIntercept(cancellation);
            RaiseInterceptLinks();
            _phase = ReplayPhase.Replaying;
            _timeline!.Begin();
            for (var loop = 0; loop < _options.Loop && !cancellation.IsCancellationRequested; loop++)
            {
                _loop = loop;
                PlayOnce(loop, cancellation);
            }

            _timeline.Flush(cancellation);
            WakeEngine();
            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            _phase = ReplayPhase.Draining;
            Drain(cancellation);
            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            // Copies the capture never closed are reset now, so the target frees their sockets (reason Stopped).
            _engine!.Stop(TimeSpan.FromSeconds(1));
            _phase = ReplayPhase.Completed;
            var progress = Progress;
            var completed = $"Replay completed: {progress.PacketsReplayed} client packets, {progress.ConnectionsStarted} connections; send lateness p50 {progress.SendLatenessP50.TotalMilliseconds:0.###} ms, p99 {progress.SendLatenessP99.TotalMilliseconds:0.###} ms.";
            Raise(completed);
            Ended?.Invoke(new RunEnd(RunEndKind.Completed, completed));
        }
        finally
        {
            _timeline?.Discard();
        }
    }

    /// <summary>
    /// At Max the engine holds most of the capture at once while the handshakes complete: the buffers for it are made
    /// before the timeline starts, and promoted by one collection then, so the replay thread does not allocate them
    /// while it races the engine, and no collection copies them during the replay (both took a share of the 2 cores). The
    /// connections' queues and the exchange log are sized and made ahead too: grown during the burst, they were a sixth
    /// of the engine thread's time there, in page faults and clearing.
    /// </summary>
    private void PrepareMaxBacklog()
    {
        var plan = _plan!;
        long loops = _options.Loop;
        long bound = _options.MaxPacketsInFlight;
        var engine = _engine!;
        engine.PrepareBuffers((int)Math.Min(plan.ShortPackets * loops, bound), (int)Math.Min((plan.Packets - plan.ShortPackets) * loops, bound));
        engine.ExpectBacklogPerConnection(plan.Packets / Math.Max(1, plan.Connections));
        engine.PrepareExchangeLog();
        GC.Collect();
    }

    /// <summary>
    /// The intercept links' threads carry the target's answers to the engine, its SYN-ACKs and window updates among them:
    /// at Max the raised engine and sending thread hold both cores, and links left at nice 0 would wait behind them.
    /// </summary>
    private void RaiseInterceptLinks()
    {
        if (_waits is not null || !_options.RaisePriority)
        {
            return;
        }

        foreach (var tid in ThreadNice.ThreadsNamed(LinkThreadName))
        {
            if (!_linksBefore.Contains(tid))
            {
                ThreadNice.TryRaise(tid, RaisedNice);
            }
        }
    }

    private void WaitForIntercept(CancellationToken cancellation)
    {
        var deadline = _scheduler!.Now + (_options.InterceptWait.Ticks * 100);
        while (!_engineChannel!.IsConnected && _scheduler.Now < deadline && !cancellation.IsCancellationRequested)
        {
            cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(10));
        }

        if (!_engineChannel.IsConnected)
        {
            Raise($"No intercept connected within {_options.InterceptWait.TotalSeconds:0.#} s: connections opened before one is up end with InterceptUnavailable.");
        }
    }

    private void PlayOnce(int loop, CancellationToken cancellation)
    {
        var selector = NewSelector();
        var plan = _plan!;
        var loopOffset = loop * plan.Span;
        foreach (var file in plan.Files)
        {
            var reader = TryOpen(file.Path, report: false);
            if (reader is null)
            {
                continue;
            }

            using (reader)
            {
                while (!cancellation.IsCancellationRequested && reader.TryReadNext(out var record))
                {
                    var timestamp = record.TimestampNanoseconds;
                    if (selector.Classify(record.LinkType, record.Data, record.OriginalLength, timestamp, out var flow) != RecordVerdict.Replay)
                    {
                        continue;
                    }

                    var buffer = Copy(record.Data, record.LinkType, timestamp, loop, out var isClose, out var port);
                    if (buffer is null)
                    {
                        continue;
                    }

                    flow!.Port = port;

                    var offset = loopOffset + file.TimelineOffset + Math.Max(0, timestamp - file.FirstTimestamp);
                    _timeline!.Offer(buffer, record.LinkType, flow!, offset, timestamp, isClose, cancellation);
                }
            }
        }
    }

    /// <summary>
    /// Copies a client packet into a pooled buffer, with its capture time (the engine reads the client's rhythm from
    /// it), and gives it its fresh port in a repeated play; null when it does not parse (the selector parsed it, so only
    /// a damaged copy would). The engine computes its checksums when it sends it. A close is a FIN or RST, or a client
    /// WebSocket Close frame (the application's close): none goes earlier after its connection's start than captured.
    /// </summary>
    private PacketBuffer? Copy(ReadOnlySpan<byte> data, LinkType linkType, long timestamp, int loop, out bool isClose, out ushort port)
    {
        isClose = false;
        port = 0;
        // The smallest engine buffer that fits: at Max the engine holds a backlog of these, and most packets are
        // short requests and ACKs, so a quarter-size buffer is a quarter of the memory the replay thread must touch.
        var buffer = data.Length <= _engine!.Pool.BufferSize ? _engine.RentFor(data.Length) : _largePool.Rent();
        if (data.Length > buffer.Capacity)
        {
            PacketBufferPool.ReturnToOwner(buffer);
            return null;
        }

        data.CopyTo(buffer.Array);
        buffer.Length = data.Length;
        buffer.TimestampNanoseconds = timestamp;
        if (TcpPacket.TryParse(linkType, buffer.Span, out var packet) != PacketParseStatus.Ok || packet.IpVersion != 4)
        {
            PacketBufferPool.ReturnToOwner(buffer);
            return null;
        }

        var tcp = packet.Tcp;
        isClose = (tcp.Flags & (TcpFlags.Fin | TcpFlags.Rst)) != 0
            || WebSocketHead.IsClientCloseFrame(ReplayConnection.CapturedPayload(tcp, packet.PayloadLength));
        if (loop > 0)
        {
            tcp.SetSourcePort(LoopPorts.Fresh(tcp.SourcePort, loop));
        }

        port = tcp.SourcePort;
        return buffer;
    }

    private void Post(PacketBuffer buffer, LinkType linkType)
    {
        // Back-pressure at high speed: a slow target holds client packets in the engine; beyond the bound the
        // reader waits instead of filling memory.
        var engine = _engine!;
        if (engine.BuffersOutstanding > _options.MaxPacketsInFlight)
        {
            WakeEngine();
            while (engine.BuffersOutstanding > _options.MaxPacketsInFlight && !_stop.IsCancellationRequested)
            {
                _stop.Token.WaitHandle.WaitOne(1);
            }
        }

        // At Max the packets come back to back: the engine thread is woken once per batch, not once per packet.
        var wake = !_options.Speed.IsMax || ++_postedSinceWake >= PostsPerWakeAtMax;
        if (wake)
        {
            _postedSinceWake = 0;
        }

        engine.PostClientPacket(buffer, linkType, wake);
    }

    private void WakeEngine()
    {
        _postedSinceWake = 0;
        _engine!.WakeEngine();
    }

    /// <summary>
    /// Waits until every copy has ended, or, once the engine holds no client packet any more, until nothing has gone
    /// either way for the drain time plus a second (the capture left those connections open). While client packets are
    /// still held (a target slow to open its window, acknowledgments late through a busy intercept) the wait goes on:
    /// the engine's own retransmission limit and idle timeout end such copies.
    /// </summary>
    private void Drain(CancellationToken cancellation)
    {
        var statistics = _engine!.Statistics;
        var quietFor = _options.Copy.DrainTimeout + TimeSpan.FromSeconds(1);
        var lastActivity = statistics.PacketsSent + statistics.ResponsesReceived;
        var quietSince = _time.GetUtcNow();
        while (!cancellation.IsCancellationRequested)
        {
            if (ClosedCopies(statistics) >= statistics.ConnectionsOpened && _engine.BuffersOutstanding == 0)
            {
                return;
            }

            var activity = statistics.PacketsSent + statistics.ResponsesReceived;
            var now = _time.GetUtcNow();
            if (activity != lastActivity)
            {
                lastActivity = activity;
                quietSince = now;
            }
            else if ((_engine.BuffersOutstanding == 0 && now - quietSince >= quietFor) || now - quietSince >= _options.Copy.IdleTimeout)
            {
                Raise($"The target has been quiet for {quietFor.TotalSeconds:0.#} s after the last client packet; the copies still open are reset.");
                return;
            }

            cancellation.WaitHandle.WaitOne(DrainPoll);
        }
    }
}
