namespace TcpReplay.Engine.Capture.Files;

/// <summary>The container format of a capture file, as recognised from its first bytes.</summary>
public enum CaptureFileFormat
{
    /// <summary>Not recognised (or not yet read): see <see cref="CaptureFileReader.Error"/>.</summary>
    Unknown,

    /// <summary>Classic libpcap format, version 2.4, microsecond or nanosecond timestamps, either byte order.</summary>
    Pcap,

    /// <summary>pcapng (PCAP Next Generation), version 1.0, any number of sections and interfaces.</summary>
    PcapNg,
}
