using System.Diagnostics;
using TcpReplay.Engine.Hosting;

namespace TcpReplay.Engine.Tests.Hosting;

public sealed class StatusPusherTests
{
    [Fact]
    public void PushesAtTheIntervalOnAThreadOfItsOwnAndNeverAfterDispose()
    {
        var pushes = 0;
        var threads = new HashSet<int>();
        var pusher = new StatusPusher(
            () =>
            {
                lock (threads)
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                }

                Interlocked.Increment(ref pushes);
            },
            TimeSpan.FromMilliseconds(20));

        var watch = Stopwatch.StartNew();
        while (Volatile.Read(ref pushes) < 5 && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(5);
        }

        pusher.Dispose();
        var afterDispose = Volatile.Read(ref pushes);
        Thread.Sleep(100);

        Assert.True(afterDispose >= 5, $"{afterDispose} pushes in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(afterDispose, Volatile.Read(ref pushes));
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
        Assert.Single(threads);
        pusher.Dispose();
    }

    [Fact]
    public void DisposeWaitsForAPushUnderWay()
    {
        using var started = new ManualResetEventSlim();
        var finished = false;
        var pusher = new StatusPusher(
            () =>
            {
                started.Set();
                Thread.Sleep(200);
                Volatile.Write(ref finished, true);
            },
            TimeSpan.FromMilliseconds(10));

        Assert.True(started.Wait(TimeSpan.FromSeconds(5)));
        pusher.Dispose();

        Assert.True(Volatile.Read(ref finished), "Dispose returned while a push was still being written");
    }
}
