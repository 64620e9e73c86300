namespace TcpReplay.Engine.Diagnostics;

/// <summary>Reads the offload settings out of <c>ethtool -k</c> ("generic-receive-offload: on [fixed]").</summary>
internal static class EthtoolFeatures
{
    public const string GenericReceiveOffload = "generic-receive-offload";
    public const string LargeReceiveOffload = "large-receive-offload";
    public const string TcpSegmentationOffload = "tcp-segmentation-offload";
    public const string TransmitChecksumming = "tx-checksumming";

    /// <summary>The state of <paramref name="feature"/>: true for "on", false for "off", null when absent or unreadable.</summary>
    public static bool? Find(string output, string feature)
    {
        foreach (var rawLine in output.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (!line.StartsWith(feature, StringComparison.Ordinal) || line.Length <= feature.Length || line[feature.Length] != ':')
            {
                continue;
            }

            // "on", "off", and either may be followed by " [fixed]" or " [requested on]".
            var value = line[(feature.Length + 1)..].TrimStart();
            if (value.StartsWith("on", StringComparison.Ordinal))
            {
                return true;
            }

            if (value.StartsWith("off", StringComparison.Ordinal))
            {
                return false;
            }

            return null;
        }

        return null;
    }
}
