using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Tests.Connections;
using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Tests.Threading;

/// <summary>The copy engine's and a capture's thread run at the nice value asked for (Start-TcpCopy -Nice).</summary>
public class ThreadNiceTests
{
    // A positive value: any process may lower its own threads' priority, so these run without CAP_SYS_NICE too.
    private const int Nice = 3;

    [Fact]
    public void TheEngineThreadTakesItsNiceValue()
    {
        IPv4Network.TryParse("198.19.0.0/24", out var fake);
        using var engine = new CopyEngine(new CopyEngineOptions
        {
            Transfers = [new Transfer(0, 8080, 0xC612001E, 8080)],
            FakeClientNetworks = [fake],
            ThreadNice = Nice,
        }, new RecordingSender(), new FakeChannel(new RecordingSender()));
        engine.Start();

        // Other tests may run engines at the same time, at the default nice value 0.
        Assert.True(WaitForThread("TcpReplay copy ", Nice), "no copy engine thread at nice 3");
    }

    [Fact]
    public void ACaptureThreadTakesItsNiceValue()
    {
        using var running = new ManualResetEventSlim();
        var worker = new CaptureWorker("trc nice test", w =>
        {
            running.Set();
            while (!w.StopRequested)
            {
                Thread.Sleep(10);
            }
        }, () => { }, Nice);
        try
        {
            worker.Start();
            Assert.True(running.Wait(TimeSpan.FromSeconds(5)));
            Assert.True(WaitForThread("trc nice test", Nice), "the capture thread is not at nice 3");
        }
        finally
        {
            worker.Dispose();
        }
    }

    [Fact]
    public void CaptureOptionsRefuseANiceValueOutsideLinuxsRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CaptureOptions { ThreadNice = -21 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CaptureOptions { ThreadNice = 20 }.Validate());
    }

    private static bool WaitForThread(string name, int nice)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        do
        {
            foreach (var tid in ThreadNice.ThreadsNamed(name))
            {
                if (ReadNice(tid) == nice)
                {
                    return true;
                }
            }

            Thread.Sleep(20);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    /// <summary>Field 19 of /proc/self/task/TID/stat; the name before it is in parentheses and may hold spaces.</summary>
    private static int? ReadNice(int tid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
