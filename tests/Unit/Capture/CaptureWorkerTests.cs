using System.Diagnostics;
using TcpReplay.Engine.Capture;

namespace TcpReplay.Engine.Tests.Capture;

public class CaptureWorkerTests
{
    [Fact]
    public void DisposeStopsThePollingLoopAndReleasesTheHandleOnce()
    {
        var releases = 0;
        using var running = new ManualResetEventSlim();
        var worker = new CaptureWorker("test", w =>
        {
            running.Set();
            while (!w.StopRequested)
            {
                Thread.Sleep(10);
            }
        }, () => Interlocked.Increment(ref releases));
        worker.Start();
        Assert.True(running.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(CaptureStatus.Running, worker.Status);

        var clock = Stopwatch.StartNew();
        worker.Dispose();
        worker.Dispose();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
        Assert.Equal(1, releases);
        Assert.Equal(CaptureStatus.Stopped, worker.Status);
    }

    [Fact]
    public void ANeverStartedWorkerReleasesOnDisposeAndCannotStartAfterwards()
    {
        var releases = 0;
        var worker = new CaptureWorker("test", _ => { }, () => releases++);
        worker.Dispose();
        Assert.Equal(1, releases);
        Assert.Throws<ObjectDisposedException>(worker.Start);
    }

    [Fact]
    public void StartingTwiceThrows()
    {
        var worker = new CaptureWorker("test", w => SpinWait.SpinUntil(() => w.StopRequested, 5000), () => { });
        worker.Start();
        Assert.Throws<InvalidOperationException>(worker.Start);
        worker.Dispose();
    }

    [Fact]
    public void ALoopThatThrowsFailsTheCaptureWithTheReasonInsteadOfEndingTheProcess()
    {
        using var released = new ManualResetEventSlim();
        var worker = new CaptureWorker("test", _ => throw new InvalidOperationException("boom"), released.Set);
        worker.Start();
        Assert.True(released.Wait(TimeSpan.FromSeconds(5)));
        SpinWait.SpinUntil(() => worker.Status == CaptureStatus.Failed, 1000);
        Assert.Equal(CaptureStatus.Failed, worker.Status);
        Assert.Contains("boom", worker.FailureReason);
        worker.Dispose();
        Assert.Equal(CaptureStatus.Failed, worker.Status);
    }

    [Fact]
    public void ALoopThatFailsKeepsItsReason()
    {
        using var released = new ManualResetEventSlim();
        var worker = new CaptureWorker("test", w => w.Fail("The interface went down."), released.Set);
        worker.Start();
        Assert.True(released.Wait(TimeSpan.FromSeconds(5)));
        worker.Dispose();
        Assert.Equal(CaptureStatus.Failed, worker.Status);
        Assert.Equal("The interface went down.", worker.FailureReason);
    }
}
