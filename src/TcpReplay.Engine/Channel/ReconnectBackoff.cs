namespace TcpReplay.Engine.Channel;

/// <summary>
/// How long an intercept link waits before its next connection attempt: <see cref="Minimum"/> after the first failure,
/// doubled after each further one, never above <see cref="Maximum"/>; a connection that succeeds starts it over. A
/// stopped or restarting intercept is retried quickly at first without a link hammering it while it stays away.
/// Used by the link's receive thread only.
/// </summary>
internal sealed class ReconnectBackoff
{
    // 2^30 times any positive minimum is past every maximum a TimeSpan can hold; the exponent stops there.
    private const int MaxDoublings = 30;

    private int _consecutiveFailures;

    public ReconnectBackoff(TimeSpan minimum, TimeSpan maximum)
    {
        Minimum = minimum;
        Maximum = maximum;
    }

    public TimeSpan Minimum { get; }

    public TimeSpan Maximum { get; }

    /// <summary>Failures since the last connection that succeeded.</summary>
    public int ConsecutiveFailures => _consecutiveFailures;

    /// <summary>A connection succeeded: the next failure waits <see cref="Minimum"/> again.</summary>
    public void Reset() => _consecutiveFailures = 0;

    /// <summary>Counts one more failure and returns the wait before the next attempt.</summary>
    public TimeSpan NextDelay()
    {
        _consecutiveFailures++;
        var factor = Math.Pow(2, Math.Min(_consecutiveFailures - 1, MaxDoublings));
        var delay = Minimum.TotalMilliseconds * factor;
        return TimeSpan.FromMilliseconds(Math.Min(delay, Maximum.TotalMilliseconds));
    }
}
