using System.Globalization;
using System.Management.Automation;
using TcpReplay.Engine.Offline;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Lets -From and -To take an absolute capture time (a DateTime, or a date text) or an offset from the replay's first
/// client packet (a TimeSpan, a text such as '00:00:30', or a number of seconds).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class CaptureTimeBoundTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case CaptureTimeBound bound:
                return bound;
            case DateTime time:
                return CaptureTimeBound.At(time);
            case DateTimeOffset time:
                return CaptureTimeBound.At(time.UtcDateTime);
            case TimeSpan offset when offset >= TimeSpan.Zero:
                return CaptureTimeBound.After(offset);
            case int or long or double or float or decimal:
                var seconds = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
                {
                    return CaptureTimeBound.After(TimeSpan.FromSeconds(seconds));
                }

                break;
            case string text:
                if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero && !text.Contains('-', StringComparison.Ordinal))
                {
                    return CaptureTimeBound.After(span);
                }

                if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeLocal, out var parsed))
                {
                    return CaptureTimeBound.At(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
                }

                break;
        }

        throw new ArgumentTransformationMetadataException(
            $"'{value}' is neither a capture time (a DateTime) nor an offset from the first client packet (a TimeSpan such as '00:00:30', or seconds).");
    }
}
