using System.Management.Automation;
using System.Net;
using TcpReplay.Engine;
using TcpReplay.Engine.Capture;
using TcpReplay.Engine.Connections;
using TcpReplay.Engine.Diagnostics;
using TcpReplay.Engine.Hosting;
using TcpReplay.Engine.Live;
using TcpReplay.Engine.Runs;
using TcpReplay.Engine.Statistics;
using TcpReplay.PowerShell.Sessions;

namespace TcpReplay.PowerShell.Cmdlets;

/// <summary>
/// Starts copying live client traffic of a port to a target, through one or more intercepts; or, with -Path or
/// -LiteralPath, replays the client side of the connections in capture files to the target the same way.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "TcpCopy", DefaultParameterSetName = TransferSet)]
[OutputType(typeof(TcpCopySession))]
public sealed partial class StartTcpCopyCommand : PSCmdlet
{
    private const string TransferSet = "Transfer";
    private const string StructuredSet = "Structured";
    private readonly CancellationTokenSource _cancel = new();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TransferSet)]
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Transfer { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = StructuredSet)]
    [ValidateRange(1, 65535)]
    public int OnlinePort { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = StructuredSet)]
    [ValidateNotNull]
    public IPAddress TargetAddress { get; set; } = IPAddress.None;

    [Parameter(ParameterSetName = StructuredSet)]
    [ValidateRange(1, 65535)]
    public int TargetPort { get; set; }

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] InterceptServer { get; set; } = [];

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] FakeClientAddress { get; set; } = [];

    [Parameter]
    public CaptureMode CaptureMode { get; set; } = CaptureMode.Auto;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "any";

    [Parameter]
    public SendMode SendMode { get; set; } = SendMode.RawSocket;

    /// <summary>
    /// Live copy: the client capture's kernel buffer in MiB (libpcap's ring, or the raw socket's receive buffer); tcpcopy
    /// -B. Not given: a 16 MiB ring, or a 64 MiB receive buffer.
    /// </summary>
    [Parameter(ParameterSetName = TransferSet)]
    [Parameter(ParameterSetName = StructuredSet)]
    [ValidateRange(1, 2048)]
    public int? CaptureBufferMiB { get; set; }

    [Parameter]
    public PacingMode? Pacing { get; set; }

    /// <summary>
    /// The longest wait for the target's answer before held client data goes anyway (Causal: a reaction; WaitResponse:
    /// the next request). Each time it runs out is counted (AnswerWaitTimeouts, Statistics.ResponseWaitTimeouts).
    /// </summary>
    [Parameter]
    [ValidateRange(0.05, 3600)]
    public double ResponseWaitTimeoutSeconds { get; set; } = 3;

    [Parameter]
    [ValidateRange(1, 86400)]
    public double IdleTimeoutSeconds { get; set; } = 120;

    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double DrainTimeoutSeconds { get; set; } = 3;

    [Parameter]
    [ValidateRange(16, 10_000_000)]
    public int MaxConnections { get; set; } = 65536;

    /// <summary>Live copy: the nice value of the copy engine and capture threads (a replay raises its own to -10 when it may).</summary>
    [Parameter(ParameterSetName = TransferSet)]
    [Parameter(ParameterSetName = StructuredSet)]
    [ValidateRange(-20, 19)]
    public int Nice { get; set; }

    /// <summary>
    /// Runs the copy engine (a live copy's or a replay's) inside this PowerShell instead of in its own small process
    /// (TcpReplay.CopierHost, the default: a fraction of the memory, none of the shell's JIT and GC on the copy's cores,
    /// and a crash of the copy cannot end the shell). For debugging, or where no child process may be started.
    /// </summary>
    [Parameter(ParameterSetName = TransferSet)]
    [Parameter(ParameterSetName = StructuredSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter InProcess { get; set; }

    /// <summary>Also capture the online server's answers and compare them with the target's (needs libpcap).</summary>
    [Parameter]
    public SwitchParameter CompareResponses { get; set; }

    /// <summary>Ask the intercepts for the first bytes of each target answer (0 = do not ask; -CompareResponses alone asks for 128).</summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int ResponsePayload { get; set; } = -1;

    [Parameter]
    public string? Name { get; set; }

    /// <summary>Serves the session's metrics in Prometheus text format at this URL (opt-in), for example http://198.18.0.20:9464/.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MetricsEndpoint { get; set; }

    /// <summary>Starts even when a fake network overlaps the online or target subnet (with a warning per fake address that answers ARP).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Blocks with a live progress view until the copy stops, then emits the final session; Ctrl+C stops the copy.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: stop the copy after this many seconds.</summary>
    [Parameter]
    [ValidateRange(0.1, 31_536_000)]
    public double DurationSeconds { get; set; }

    protected override void EndProcessing()
    {
        var hasDuration = MyInvocation.BoundParameters.ContainsKey(nameof(DurationSeconds));
        if (hasDuration && !Wait)
        {
            ThrowTerminatingError(ErrorRecords.Create("-DurationSeconds needs -Wait: without it Start-TcpCopy returns at once and the copy runs until Stop-TcpCopy.",
                "DurationWithoutWait", ErrorCategory.InvalidArgument, DurationSeconds, "Add -Wait, or stop the copy later with Stop-TcpCopy."));
        }

        if (IsOffline)
        {
            StartOffline();
            return;
        }

        var transfers = ParseTransfers();
        var fakeNetworks = CopyParameters.ParseFakeNetworks(this, FakeClientAddress);
        var servers = CopyParameters.ParseInterceptServers(this, InterceptServer);
        foreach (var check in new[]
                 {
                     Preflight.CheckPrivileges("Start-TcpCopy"),
                     CaptureMode != CaptureMode.RawSocket || SendMode == SendMode.Pcap ? Preflight.CheckLibPcap("Start-TcpCopy") : null,
                     Preflight.CheckInterface(Interface),
                     Preflight.CheckNice(Nice, "Start-TcpCopy"),
                 })
        {
            if (check is not null)
            {
                ThrowTerminatingError(check);
            }
        }

        var warnings = new List<string>();
        var bystanders = CheckFakeAddresses(fakeNetworks, transfers, warnings);
        var options = new LiveCopyOptions
        {
            Copy = EngineOptions(transfers, fakeNetworks, bystanders),
            InterceptServers = servers,
            Channel = new Engine.Channel.InterceptClientOptions { ResponsePayloadBytes = ResponsePayload >= 0 ? ResponsePayload : CompareResponses ? 128 : 0 },
            CompareResponses = CompareResponses,
            CaptureMode = CaptureMode,
            Interface = Interface,
            SendMode = SendMode,
            CaptureBufferBytes = CaptureBufferMiB * 1024 * 1024,
        };

        var copy = StartRun(
            () =>
            {
                var inProcess = new LiveCopy(options);
                inProcess.Start();
                return inProcess;
            },
            cancel => CopierProcess.Start(options, cancellationToken: cancel));

        var session = new TcpCopySession(copy, MyInvocation.Line, Name, SessionSettings.Of(options), warnings);
        Publish(session, CopyMetricsSource.For(copy, session.Name));
        if (!copy.InterceptConnected)
        {
            WriteVerbose($"No intercept is up yet at {string.Join(", ", servers)}; the copier retries with backoff and copies connections opened once one is up.");
        }

        EmitSession(session);
    }

    /// <summary>
    /// The run, started in a copier process or, with -InProcess or when this module has no copier host to start, here;
    /// a failure to start is a terminating error, and Ctrl+C gives the start up.
    /// </summary>
    private ICopyRun StartRun(Func<ICopyRun> startHere, Func<CancellationToken, CopierProcess> startInHost)
    {
        var engineProcess = !InProcess;
        if (engineProcess && CopierProcess.WhyUnavailable() is { } why)
        {
            WriteWarning($"{why} The copy runs inside this PowerShell instead, as with -InProcess.");
            engineProcess = false;
        }

        try
        {
            return engineProcess ? startInHost(_cancel.Token) : startHere();
        }
        catch (CaptureException exception)
        {
            ThrowTerminatingError(CaptureErrors.From(exception, Interface));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C while the copier process started: it is killed, and nothing is left to stop.
            throw new PipelineStoppedException();
        }
        catch (CopierHostMismatchException exception)
        {
            ThrowTerminatingError(ErrorRecords.Create(exception, "CopierHostVersionMismatch", ErrorCategory.InvalidData, exception.HostPath,
                $"Install the module again so that its engine and its copier host come from one build (make module, or Install-PSResource TcpReplay); " +
                $"or copy inside PowerShell with -InProcess. {CopierProcess.HostPathVariable}, when set, names the host that was run."));
        }
        catch (Exception exception) when (engineProcess && exception is InvalidOperationException or InvalidDataException or System.ComponentModel.Win32Exception or IOException)
        {
            ThrowTerminatingError(ErrorRecords.Create(exception, "EngineProcessFailed", ErrorCategory.ResourceUnavailable, CopierProcess.HostFileName,
                "The message says what the copier process answered; run the copy inside PowerShell (-InProcess) to compare, or rebuild the module (make module)."));
        }

        throw new InvalidOperationException("unreachable: ThrowTerminatingError throws");
    }

    /// <summary>A started live copy or replay becomes a running job, with its metrics, in Get-Job and Get-TcpCopy.</summary>
    private void Publish(TcpCopySession session, CopyMetricsSource metrics)
    {
        session.MarkRunning();
        SessionMetrics.Attach(this, session, ReplayMetrics.Register(metrics), MetricsEndpoint);
        JobRepository.Add(session);
        SessionRegistry<TcpCopySession>.Add(session);
    }

    /// <summary>Writes the session, after the live view when -Wait asks for it.</summary>
    private void EmitSession(TcpCopySession session)
    {
        if (Wait)
        {
            WaitWithProgress(session, WaitDeadline);
        }

        WriteObject(session);
    }

    protected override void StopProcessing() => _cancel.Cancel();

    private DateTime WaitDeadline => MyInvocation.BoundParameters.ContainsKey(nameof(DurationSeconds))
        ? DateTime.UtcNow.AddSeconds(DurationSeconds)
        : DateTime.MaxValue;

    /// <summary>
    /// -Wait: the live view until the copy stops or the duration ends. The copy is stopped on the way out (duration
    /// over, Ctrl+C, or an error), since the caller holds no session to stop it with; Get-TcpCopy still lists it.
    /// </summary>
    private void WaitWithProgress(TcpCopySession session, DateTime deadline)
    {
        try
        {
            CopyProgress.Wait(this, [session], deadline, _cancel.Token);
        }
        finally
        {
            session.StopJob();
        }
    }

    /// <summary>The copy engine's settings from the parameters, the same for a live copy and a replay.</summary>
    private CopyEngineOptions EngineOptions(List<Transfer> transfers, List<IPv4Network> fakeNetworks, HashSet<uint> bystanders) => new()
    {
        Transfers = transfers,
        FakeClientNetworks = fakeNetworks,
        Pacing = Pacing ?? PacingMode.Causal,
        ResponseWaitTimeout = TimeSpan.FromSeconds(ResponseWaitTimeoutSeconds),
        IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds),
        DrainTimeout = TimeSpan.FromSeconds(DrainTimeoutSeconds),
        MaxConnections = MaxConnections,
        BystanderAddresses = bystanders,
        // 0 for a replay (the live parameter sets only): the replay raises its own threads when it may.
        ThreadNice = Nice,
    };

    private List<Transfer> ParseTransfers()
    {
        if (ParameterSetName == StructuredSet)
        {
            if (TargetAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                ThrowTerminatingError(ErrorRecords.Create($"{TargetAddress} is not an IPv4 address.", "InvalidTransfer", ErrorCategory.InvalidArgument, TargetAddress,
                    "Give the target's IPv4 address."));
            }

            var port = (ushort)(TargetPort == 0 ? OnlinePort : TargetPort);
            return [new Transfer(0, (ushort)OnlinePort, Addresses.FromIPAddress(TargetAddress), port)];
        }

        return CopyParameters.ParseTransfers(this, Transfer);
    }

    /// <summary>
    /// A fake network inside a subnet the copy depends on is refused unless -Force; with -Force each fake address that
    /// answers ARP is named in a warning, and its connections are explained as bystander resets.
    /// </summary>
    private HashSet<uint> CheckFakeAddresses(List<IPv4Network> fakeNetworks, List<Transfer> transfers, List<string> warnings)
    {
        var findings = FakeAddressCheck.Evaluate(fakeNetworks, transfers.Select(t => t.TargetAddress));
        if (findings.Count == 0)
        {
            return [];
        }

        var first = findings[0];
        var (errorId, why) = first.Conflict == FakeAddressConflict.InTargetSubnet
            ? ("FakeAddressInTargetSubnet", $"the target's own segment {first.LocalNetwork} (on {first.Interface}): the target reaches those addresses on-link, so a real host there answers its SYN-ACK with RST")
            : ("FakeAddressInOnlineSubnet", $"the online host's network {first.LocalNetwork} (on {first.Interface}): the fake clients would collide with real hosts of that network");
        var fix = $"Use a fake network that no host uses, for example 198.19.0.0/24, routed on the target via the assistant (Set-TargetRoute); " +
                  $"or, if you must use {first.FakeNetwork}, add a host route for it on the target via the assistant and run again with -Force.";
        if (!Force)
        {
            ThrowTerminatingError(ErrorRecords.Create($"The fake client network {first.FakeNetwork} lies in {why}.", errorId, ErrorCategory.InvalidArgument, first.FakeNetwork.ToString(), fix));
        }

        var bystanders = new HashSet<uint>(FakeAddressCheck.FindBystanders(findings));
        foreach (var address in bystanders)
        {
            var text = $"The fake client address {Addresses.ToText(address)} answers ARP: a real host owns it and will reset the target's answers (FakeAddressAnswersArp). " +
                       $"Fix: another -FakeClientAddress, or on the target: Set-TargetRoute -FakeClientNetwork {Addresses.ToText(address)}/32 -Assistant <assistant>.";
            warnings.Add(text);
            WriteWarning(text);
        }

        return bystanders;
    }
}
