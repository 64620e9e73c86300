using System.Management.Automation;
using TcpReplay.Engine.Hosting;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Offline;
using TcpReplay.Engine.Statistics;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>The offline replay parameter sets of Start-TcpCopy: -Path / -LiteralPath capture files instead of a live capture.</summary>
public sealed partial class StartTcpCopyCommand
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private readonly List<string> _files = [];

    /// <summary>Capture files (pcap or pcapng); wildcards are expanded; strings from the pipeline bind here.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Capture files taken as written (no wildcards); files piped from Get-ChildItem bind here by PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [CaptureTimeBoundTransformation]
    public CaptureTimeBound? From { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [CaptureTimeBoundTransformation]
    public CaptureTimeBound? To { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ReplaySpeedTransformation]
    public ReplaySpeed Speed { get; set; } = ReplaySpeed.Normal;

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateRange(1, 1_000_000)]
    public int Loop { get; set; } = 1;

    private bool IsOffline => ParameterSetName is PathSet or LiteralPathSet;

    protected override void ProcessRecord()
    {
        if (IsOffline)
        {
            var literal = ParameterSetName == LiteralPathSet;
            _files.AddRange(CapturePathResolver.Resolve(this, literal ? LiteralPath : Path, literal));
        }
    }

    private void StartOffline()
    {
        if (_files.Count == 0)
        {
            ThrowTerminatingError(ErrorRecords.Create("No capture file to replay: no path named an existing file.", "NoCaptureFile", ErrorCategory.ObjectNotFound, null,
                "Pass pcap or pcapng files with -Path (wildcards allowed), -LiteralPath, or from Get-ChildItem."));
        }

        var transfers = CopyParameters.ParseTransfers(this, Transfer);
        var fakeNetworks = CopyParameters.ParseFakeNetworks(this, FakeClientAddress);
        var servers = CopyParameters.ParseInterceptServers(this, InterceptServer);
        if (Filter is not null)
        {
            using var compiled = BpfFilter.Create(Filter, out var error);
            if (compiled is null)
            {
                ThrowTerminatingError(ErrorRecords.Create($"The capture filter '{Filter}' is not valid: {error}", "InvalidCaptureFilter", ErrorCategory.InvalidArgument, Filter,
                    "Write the filter in tcpdump's syntax (pcap-filter(7)), for example 'host 198.18.0.10 and tcp port 80'; test it with: tcpdump -r <file> '<filter>'."));
            }
        }

        foreach (var check in new[]
                 {
                     Preflight.CheckPrivileges("Start-TcpCopy"),
                     SendMode == SendMode.Pcap ? Preflight.CheckLibPcap("Start-TcpCopy") : null,
                     SendMode == SendMode.Pcap ? Preflight.CheckInterface(Interface) : null,
                 })
        {
            if (check is not null)
            {
                ThrowTerminatingError(check);
            }
        }

        var warnings = new List<string>();
        var bystanders = CheckFakeAddresses(fakeNetworks, transfers, warnings);
        var options = new OfflineReplayOptions
        {
            Files = [.. _files],
            Copy = EngineOptions(transfers, fakeNetworks, bystanders),
            InterceptServers = servers,
            Speed = Speed,
            Loop = Loop,
            Filter = Filter,
            From = From,
            To = To,
            Interface = Interface,
            SendMode = SendMode,
        };

        var replay = StartRun(
            () =>
            {
                var inProcess = new OfflineReplay(options);
                inProcess.Start();
                return inProcess;
            },
            cancel => CopierProcess.StartReplay(options, cancellationToken: cancel));

        foreach (var problem in replay.FileProblems)
        {
            WriteError(problem.Damage is { } damage
                ? CaptureFileErrors.FromDamage(problem.File, damage, problem.RecordsRead)
                : CaptureFileErrors.FromIo(problem.File, new IOException(problem.Unreadable)));
        }

        var session = new TcpCopySession(replay, MyInvocation.Line, Name, SessionSettings.Of(options), warnings);
        Publish(session, CopyMetricsSource.For(replay, session.Name));
        var progress = replay.Progress!;
        WriteVerbose($"Replaying {progress.ConnectionsTotal} connections, {progress.PacketsTotal} client packets over {progress.CaptureTimeTotal} of capture time at speed {Speed}.");
        EmitSession(session);
    }
}
