using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Tests.Connections;

namespace TcpReplay.Engine.Tests.Offline;

/// <summary>Waits that move a manual clock instead of sleeping: a sleep overshoots by a set amount, a spin costs a set step.</summary>
internal sealed class FakeWaits(ManualTimeProvider clock, long sleepOvershootNanoseconds = 60_000, long spinStepNanoseconds = 5_000) : IWaitPrimitives
{
    public List<long> SleepRequests { get; } = [];

    /// <summary>When false, sleeps are not listed, so an allocation test measures the scheduler alone.</summary>
    public bool Recording { get; set; } = true;

    public int Spins { get; private set; }

    public void Sleep(long nanoseconds)
    {
        if (Recording)
        {
            SleepRequests.Add(nanoseconds);
        }

        clock.Advance(TimeSpan.FromTicks((nanoseconds + sleepOvershootNanoseconds) / 100));
    }

    public void Spin()
    {
        Spins++;
        clock.Advance(TimeSpan.FromTicks(spinStepNanoseconds / 100));
    }
}
