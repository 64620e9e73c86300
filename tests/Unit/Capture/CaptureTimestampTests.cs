using TcpReplay.Engine.Capture.Files;

namespace TcpReplay.Engine.Tests.Capture;

public class CaptureTimestampTests
{
    [Theory]
    [InlineData(1_700_000_000_123_456_789UL, 1_000_000_000UL, 0L, 1_700_000_000_123_456_789L)]
    [InlineData(1_700_000_000_123_456UL, 1_000_000UL, 0L, 1_700_000_000_123_456_000L)]
    [InlineData(1_700_000_000_123UL, 1_000UL, 0L, 1_700_000_000_123_000_000L)]
    [InlineData(1_700_000_000UL, 1UL, 0L, 1_700_000_000_000_000_000L)]
    [InlineData(17_000_000_001_234_567_891UL, 10_000_000_000UL, 0L, 1_700_000_000_123_456_789L)] // 10^-10: the last digit is cut
    [InlineData(1025UL, 1024UL, 0L, 1_000_976_562L)]                                             // 2^-10: 976,562.5 ns cut
    [InlineData((1UL << 32) + (1UL << 31), 1UL << 32, 0L, 1_500_000_000L)]                      // 2^-32
    [InlineData(ulong.MaxValue, 1UL << 63, 0L, 1_999_999_999L)]                                 // 2^-63: the widest fraction
    [InlineData(5_000_000UL, 1_000_000UL, -10L, -5_000_000_000L)]
    [InlineData(0UL, 1_000_000UL, 1_700_000_000L, 1_700_000_000_000_000_000L)]
    public void UnitsConvertToExactNanoseconds(ulong units, ulong unitsPerSecond, long offsetSeconds, long expected)
    {
        Assert.True(CaptureTimestamp.TryToNanoseconds(units, unitsPerSecond, offsetSeconds, out long ns));
        Assert.Equal(expected, ns);
    }

    [Theory]
    [InlineData(ulong.MaxValue, 1_000_000_000UL, 0L)]
    [InlineData(ulong.MaxValue, 1_000_000UL, 0L)]
    [InlineData(9_223_372_037UL, 1UL, 0L)]
    [InlineData(9_223_372_036UL, 1UL, 1L)]
    [InlineData(0UL, 1UL, long.MinValue)]
    [InlineData(0UL, 1UL, 9_223_372_037L)]
    public void ResultsBeyondTheLongRangeAreRefused(ulong units, ulong unitsPerSecond, long offsetSeconds)
    {
        Assert.False(CaptureTimestamp.TryToNanoseconds(units, unitsPerSecond, offsetSeconds, out _));
    }

    [Fact]
    public void TheLastRepresentableSecondStillConverts()
    {
        Assert.True(CaptureTimestamp.TryToNanoseconds(9_223_372_036_854_775_807UL, 1_000_000_000UL, 0, out long ns));
        Assert.Equal(long.MaxValue, ns);
    }
}
