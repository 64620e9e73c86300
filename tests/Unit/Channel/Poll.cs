using System.Diagnostics;

namespace TcpReplay.Engine.Tests.Channel;

/// <summary>Bounded waits: poll a condition until a deadline, then fail with what was seen.</summary>
internal static class Poll
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(5);

    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? state = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? Default;
        while (!condition())
        {
            if (deadline.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}. {state?.Invoke()}");
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>Holds for <paramref name="period"/> and fails as soon as the condition becomes true (used for "never happens").</summary>
    public static void Never(Func<bool> condition, string what, TimeSpan period)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < period)
        {
            Assert.False(condition(), what);
            Thread.Sleep(5);
        }
    }
}
