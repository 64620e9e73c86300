using System.Globalization;

namespace TcpReplay.Engine.Offline;

/// <summary>
/// How fast an offline replay plays the capture's timeline: a factor (2 = twice as fast, 0.5 = half speed), or
/// <see cref="Max"/>: no timeline at all, each connection as fast as its handshake and the target allow.
/// </summary>
public readonly record struct ReplaySpeed
{
    private ReplaySpeed(double factor) => Factor = factor;

    /// <summary>The capture's own pace.</summary>
    public static ReplaySpeed Normal { get; } = new(1);

    /// <summary>As fast as possible (per-connection order and the handshake still hold).</summary>
    public static ReplaySpeed Max { get; } = new(double.PositiveInfinity);

    /// <summary>The factor; <see cref="double.PositiveInfinity"/> for <see cref="Max"/>.</summary>
    public double Factor { get; }

    public bool IsMax => double.IsPositiveInfinity(Factor);

    /// <summary>A finite factor between 0.001 and 1,000,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside that range, or not a number.</exception>
    public static ReplaySpeed FromFactor(double factor)
    {
        if (double.IsNaN(factor) || factor < 0.001 || factor > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The speed is a factor from 0.001 to 1000000, or Max.");
        }

        return new ReplaySpeed(factor);
    }

    /// <summary>Parses "Max" (any case), or a factor such as "2", "0.5" or "10x" (invariant culture).</summary>
    public static bool TryParse(string? text, out ReplaySpeed speed)
    {
        speed = Normal;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Equals("Max", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("topspeed", StringComparison.OrdinalIgnoreCase))
        {
            speed = Max;
            return true;
        }

        if (trimmed.EndsWith('x') || trimmed.EndsWith('X'))
        {
            trimmed = trimmed[..^1];
        }

        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) || double.IsNaN(factor) || factor < 0.001 || factor > 1_000_000)
        {
            return false;
        }

        speed = new ReplaySpeed(factor);
        return true;
    }

    /// <summary>The replay's offset for a capture offset (both nanoseconds); 0 at <see cref="Max"/>.</summary>
    public long Scale(long captureNanoseconds) => IsMax ? 0 : Factor == 1 ? captureNanoseconds : (long)(captureNanoseconds / Factor);

    public override string ToString() => IsMax ? "Max" : Factor.ToString(CultureInfo.InvariantCulture);
}
