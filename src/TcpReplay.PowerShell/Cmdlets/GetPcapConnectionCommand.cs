using System.Diagnostics;
using System.Management.Automation;
using TcpReplay.Engine.Analysis;
using TcpReplay.Engine.Capture.Files;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>Lists the TCP connections in pcap and pcapng files.</summary>
[Cmdlet(VerbsCommon.Get, "PcapConnection", DefaultParameterSetName = PathSet)]
[OutputType(typeof(PcapConnection))]
public sealed class GetPcapConnectionCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private static readonly long ProgressInterval = Stopwatch.Frequency / 4;

    private volatile bool _stopping;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var file in CapturePathResolver.Resolve(this, literal ? LiteralPath : Path, literal))
        {
            if (_stopping)
            {
                return;
            }

            ReadFile(file);
        }
    }

    // Ctrl+C ends the file in hand at the next record, not at the end of a multi-gigabyte capture.
    protected override void StopProcessing() => _stopping = true;

    private void ReadFile(string file)
    {
        CaptureFileReader reader;
        try
        {
            reader = CaptureFileReader.Open(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            WriteError(CaptureFileErrors.FromIo(file, exception));
            return;
        }

        using (reader)
        {
            var analyzer = new CaptureConnectionAnalyzer();
            var progress = new CaptureProgress(this, file, reader.Length);
            while (!_stopping && reader.TryReadNext(out var record))
            {
                analyzer.Add(record.LinkType, record.Data, record.OriginalLength, record.TimestampNanoseconds);
                progress.Report(reader.Position, reader.RecordsRead);
            }

            progress.Complete();
            foreach (var connection in analyzer.GetConnections(file))
            {
                WriteObject(connection);
            }

            WriteVerbose($"{file}: {reader.RecordsRead} records, {analyzer.TcpPackets} TCP packets, {analyzer.IgnoredPackets} not TCP, {analyzer.MalformedPackets} malformed.");
            if (analyzer.MalformedPackets > 0)
            {
                WriteWarning($"{file}: {analyzer.MalformedPackets} malformed packets were skipped (first: {analyzer.FirstMalformedStatus}).");
            }

            if (reader.Error is { } error)
            {
                WriteError(CaptureFileErrors.FromDamage(file, error, reader.RecordsRead));
            }
        }
    }

    /// <summary>Progress by bytes read, refreshed at most four times a second so it never slows the read.</summary>
    private sealed class CaptureProgress(Cmdlet cmdlet, string file, long? length)
    {
        private readonly ProgressRecord _record = new(0, "Reading capture", System.IO.Path.GetFileName(file));
        private long _next = Stopwatch.GetTimestamp() + ProgressInterval;

        public void Report(long position, long records)
        {
            var now = Stopwatch.GetTimestamp();
            if (now < _next)
            {
                return;
            }

            _next = now + ProgressInterval;
            _record.StatusDescription = $"{records} records, {position / (1024 * 1024)} MiB";
            _record.PercentComplete = length is > 0 ? (int)Math.Min(100, position * 100 / length.Value) : -1;
            cmdlet.WriteProgress(_record);
        }

        public void Complete()
        {
            _record.RecordType = ProgressRecordType.Completed;
            cmdlet.WriteProgress(_record);
        }
    }
}
