using System.Diagnostics;
using TcpReplay.Engine.Buffers;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Packets;

namespace TcpReplay.Engine.Tests.Connections;

/// <summary>The engine's poll(2) wait: it sleeps until a producer posts, its input is readable or the timer is due.</summary>
public sealed class PolledEngineWaitTests : IDisposable
{
    private static readonly PacketBufferPool Pool = new(256, 64);
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(30);
    private readonly EventFdInput _input = new();

    public void Dispose() => _input.Dispose();

    private static EngineEvent Answer() => new(EngineEventKind.TargetPacket, Pool.Rent(), LinkType.Ipv4);

    private static EngineEvent Client() => new(EngineEventKind.ClientPacket, Pool.Rent(), LinkType.Ipv4);

    [Fact]
    public void WithNothingToDoItSleepsUntilTheTimer()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(null, _input, queue, Window);

        var watch = Stopwatch.StartNew();
        wait.WaitAndRead(TimeSpan.FromMilliseconds(60));

        Assert.InRange(watch.ElapsedMilliseconds, 55, 2000);
        Assert.Equal(0, _input.Reads);
        Assert.Equal(1, _input.Acquired);
        Assert.Equal(0, _input.Held);
    }

    [Fact]
    public void AProducersAnswerWakesItAtOnce()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(null, _input, queue, Window);
        var elapsed = MillisecondsToWake(wait, TimeSpan.FromMilliseconds(50), () =>
        {
            queue.TryEnqueueAnswer(Answer());
        });

        Assert.True(elapsed < 2000, $"woke after {elapsed} ms");
        Assert.Equal(1, queue.DequeueBatch(new EngineEvent[4], TimeSpan.Zero));
    }

    [Fact]
    public void ClientPacketsPostedWithoutWakingWakeItWhenTheProducerSaysSo()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(null, _input, queue, Window);
        var elapsed = MillisecondsToWake(wait, TimeSpan.FromMilliseconds(50), () =>
        {
            queue.TryEnqueueClient(Client(), 0, wakeConsumer: false);
            queue.TryEnqueueClient(Client(), 0, wakeConsumer: false);
            Thread.Sleep(50);
            queue.WakeConsumer();
        });

        Assert.InRange(elapsed, 90, 2000);
        Assert.Equal(2, queue.DequeueBatch(new EngineEvent[4], TimeSpan.Zero));
    }

    [Fact]
    public void ReadableInputWakesItAndIsReadOnItsThread()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(null, _input, queue, Window);
        var elapsed = MillisecondsToWake(wait, TimeSpan.FromMilliseconds(50), () =>
        {
            _input.MakeReadable();
        });

        Assert.True(elapsed < 2000, $"woke after {elapsed} ms");
        Assert.Equal(1, _input.Reads);
        Assert.Equal(Environment.CurrentManagedThreadId, _input.ReadOnThread);
        Assert.Equal(0, _input.Held);
    }

    [Fact]
    public void WithEventsQueuedItOnlyLooksAndReadsWhatIsReady()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(null, _input, queue, Window);
        queue.TryEnqueueClient(Client(), 0);
        _input.MakeReadable();

        var watch = Stopwatch.StartNew();
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        wait.WaitAndRead(TimeSpan.FromSeconds(5));

        Assert.True(watch.ElapsedMilliseconds < 1000, $"took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(1, _input.Reads);
    }

    [Fact]
    public void WhileTheAnswersQueueIsOverHalfFullTheInputIsLeftUnread()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(null, _input, queue, Window);
        for (var i = 0; i < 3; i++)
        {
            queue.TryEnqueueAnswer(Answer());
        }

        _input.MakeReadable();
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        Assert.Equal(0, _input.Acquired);
        Assert.Equal(0, _input.Reads);

        queue.DequeueBatch(new EngineEvent[4], TimeSpan.Zero);
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        Assert.Equal(1, _input.Reads);
    }

    [Fact]
    public void TheInputCanWakeAWaitToPollAgain()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(null, _input, queue, Window);
        var elapsed = MillisecondsToWake(wait, TimeSpan.FromMilliseconds(50), () =>
        {
            _input.Wake!();
        });

        Assert.True(elapsed < 2000, $"woke after {elapsed} ms");
    }

    [Fact]
    public void ABusyClientCaptureIsReadOnTheBatchWindowsTickNotOnEachArrival()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(_input, null, queue, Window);
        _input.Busy = true;
        _input.MakeReadable();
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        Assert.Equal(1, _input.Reads);

        var elapsed = MillisecondsToWake(wait, TimeSpan.FromMilliseconds(5), () =>
        {
            _input.MakeReadable();
        });

        Assert.InRange(elapsed, Window.TotalMilliseconds - 5, 2000);
        Assert.Equal(2, _input.Reads);

        _input.Busy = false;
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        var quiet = Stopwatch.StartNew();
        wait.WaitAndRead(TimeSpan.FromMilliseconds(200));
        Assert.InRange(quiet.ElapsedMilliseconds, 190, 2000);
    }

    [Fact]
    public void WhileTheClientQueueIsOverHalfFullTheCaptureIsLeftUnread()
    {
        var queue = new EngineQueue(4, 4);
        using var wait = new PolledEngineWait(_input, null, queue, Window);
        for (var i = 0; i < 3; i++)
        {
            queue.TryEnqueueClient(Client(), 0);
        }

        _input.MakeReadable();
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        Assert.Equal(0, _input.Acquired);

        queue.DequeueBatch(new EngineEvent[4], TimeSpan.Zero);
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        Assert.Equal(1, _input.Reads);
    }

    /// <summary>
    /// Runs <paramref name="meanwhile"/> on another thread after <paramref name="delay"/> while <paramref name="wait"/>
    /// waits up to 5 s; returns how long the wait took.
    /// </summary>
    private static long MillisecondsToWake(PolledEngineWait wait, TimeSpan delay, Action meanwhile)
    {
        var other = new Thread(() =>
        {
            Thread.Sleep(delay);
            meanwhile();
        });
        var watch = Stopwatch.StartNew();
        other.Start();
        wait.WaitAndRead(TimeSpan.FromSeconds(5));
        var elapsed = watch.ElapsedMilliseconds;
        Assert.True(other.Join(TimeSpan.FromSeconds(5)), "the other thread should end");
        return elapsed;
    }

    /// <summary>An input over an eventfd of its own: readable when a test says so, read back to empty when read.</summary>
    private sealed class EventFdInput : IPolledInput, IDisposable
    {
        private readonly int _fd = LinuxNative.OpenEventFd(out _);

        public Action? Wake { get; private set; }

        public int Acquired { get; private set; }

        public int Held { get; private set; }

        public int Reads { get; private set; }

        public int ReadOnThread { get; private set; }

        public int MaxDescriptors => 1;

        /// <summary>What ReadReady answers: a busy input is read on the batch window's tick.</summary>
        public bool Busy { get; set; }

        public void MakeReadable() => LinuxNative.SignalEventFd(_fd);

        public void AttachWaker(Action wake) => Wake = wake;

        public int AcquireDescriptors(Span<LinuxNative.PollFd> fds)
        {
            Acquired++;
            Held++;
            fds[0] = new LinuxNative.PollFd { Fd = _fd, Events = LinuxNative.PollIn };
            return 1;
        }

        public bool ReadReady(ReadOnlySpan<LinuxNative.PollFd> fds)
        {
            if (fds[0].Revents != 0)
            {
                Reads++;
                ReadOnThread = Environment.CurrentManagedThreadId;
                LinuxNative.ClearEventFd(_fd);
            }

            return Busy;
        }

        public void ReleaseDescriptors() => Held--;

        public void Dispose() => LinuxNative.CloseDescriptor(_fd);
    }
}
