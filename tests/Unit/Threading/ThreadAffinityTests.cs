using System.Globalization;
using System.Numerics;
using TcpReplay.Engine.Threading;

namespace TcpReplay.Engine.Tests.Threading;

/// <summary>Two threads of a pipeline placed on disjoint halves of the allowed cores.</summary>
public class ThreadAffinityTests
{
    [Fact]
    public void PinsTwoThreadsToDisjointCoresThatCoverTheAllowedOnes()
    {
        var allowed = AllowedMask("self");
        if (BigInteger.PopCount(allowed) < 2)
        {
            // One core: there is nothing to place apart, and nothing may change.
            Assert.False(ThreadAffinity.TryPinApart(1, 1));
            return;
        }

        using var first = new ParkedThread();
        using var second = new ParkedThread();

        Assert.True(ThreadAffinity.TryPinApart(first.Tid, second.Tid));

        var a = AllowedMask($"self/task/{first.Tid}");
        var b = AllowedMask($"self/task/{second.Tid}");
        Assert.NotEqual(BigInteger.Zero, a);
        Assert.NotEqual(BigInteger.Zero, b);
        Assert.Equal(BigInteger.Zero, a & b);
        Assert.Equal(allowed, a | b);
    }

    [Fact]
    public void ChangesNothingWithoutBothThreads() => Assert.False(ThreadAffinity.TryPinApart(0, ThreadNice.CurrentThreadId()));

    // Cpus_allowed in /proc/<task>/status: comma-separated 32-bit hex words, most significant first.
    private static BigInteger AllowedMask(string task)
    {
        var line = File.ReadLines($"/proc/{task}/status").First(l => l.StartsWith("Cpus_allowed:", StringComparison.Ordinal));
        var hex = line["Cpus_allowed:".Length..].Trim().Replace(",", "", StringComparison.Ordinal);
        return BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private sealed class ParkedThread : IDisposable
    {
        private readonly ManualResetEventSlim _started = new();
        private readonly ManualResetEventSlim _release = new();
        private readonly Thread _thread;

        public ParkedThread()
        {
            _thread = new Thread(() =>
            {
                Tid = ThreadNice.CurrentThreadId();
                _started.Set();
                _release.Wait();
            })
            { IsBackground = true };
            _thread.Start();
            _started.Wait();
        }

        public int Tid { get; private set; }

        public void Dispose()
        {
            _release.Set();
            _thread.Join();
            _started.Dispose();
            _release.Dispose();
        }
    }
}
