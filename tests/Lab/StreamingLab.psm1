#Requires -Version 7.4
<#
    StreamingLab: the streaming test service (examples/StreamingService) in a namespace lab. The service runs on a
    lab host (online, target) through Start-LabProcess, so Remove-ReplayLab stops it by PID; its client mode runs in
    the client namespace and returns its JSON summary. The service is published by `make module` to
    out/StreamingService; $env:TCPREPLAY_STREAMING_SERVICE overrides the path of StreamingService.dll.
#>

Set-StrictMode -Version 3.0
Import-Module "$PSScriptRoot/TcpReplayLab.psm1"

function Get-LabStreamingServicePath {
    <#
    .SYNOPSIS
        The StreamingService.dll the lab runs, or $null when it has not been built (`make module`).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $path = if ($env:TCPREPLAY_STREAMING_SERVICE) { $env:TCPREPLAY_STREAMING_SERVICE } else { "$PSScriptRoot/../../out/StreamingService/StreamingService.dll" }
    if (Test-Path -LiteralPath $path) { (Resolve-Path -LiteralPath $path).Path } else { $null }
}

function Start-LabStreamingService {
    <#
    .SYNOPSIS
        Starts the streaming test service on a lab host and waits (bounded) until it listens.
    .DESCRIPTION
        Runs `dotnet StreamingService.dll --address <host address> --port <Port> ...` with Start-LabProcess, its
        session and access logs in a fresh folder of the lab's temporary directory, and waits for its
        {"event":"listening"} line. The flags are those of examples/StreamingService/README.md.
    .PARAMETER Lab
        The lab.
    .PARAMETER HostName
        The host to run on (online, target, ...).
    .PARAMETER Port
        TCP port. Default 8080.
    .PARAMETER FinalDelayMs
        Time from the client's "end" to the final result. Default 300.
    .PARAMETER FinalDelayMaxMs
        With it, each session's final delay is drawn uniformly from FinalDelayMs..FinalDelayMaxMs.
    .PARAMETER Partials
        frames (default): a partial after a random 5-25 new frames; timed: at random moments 50-400 ms apart.
    .PARAMETER EarlyClose
        abort (default, as the real service): a client Close frame after "end" but before the final aborts the
        recognition; tolerate: the final is still sent.
    .PARAMETER Closer
        server (default): the server closes right after the final; client: it waits for the client's Close.
    .PARAMETER DelayMs
        Delay before every HTTP answer. Default 0.
    .PARAMETER StatusPath
        Paths that answer another status, as 'PATH=CODE' strings, e.g. '/fail=500'.
    .PARAMETER DelayPath
        Paths with their own delay, as 'PATH=MS' strings, e.g. '/slow=200'.
    .PARAMETER BodyBytes
        HTTP body size. Default 3 ("ok\n").
    .PARAMETER ArgumentList
        More flags, passed as they are.
    .PARAMETER TimeoutSeconds
        How long to wait for the service to listen. Default 20.
    .PARAMETER Nice
        Scheduling niceness (nice -n), -20..19. Default 0. A negative value keeps the service's answer times what its
        flags ask when the copier and the intercept load the same cores.
    .OUTPUTS
        A TcpReplay.LabStreamingService: HostName, Address, Port, Id (PID), Directory, SessionLogPath,
        AccessLogPath, Url, StreamUrl, StandardError.
    .EXAMPLE
        $svc = Start-LabStreamingService $lab -HostName target -FinalDelayMs 300
        Invoke-LabStreamingClient $lab -Url $svc.StreamUrl -Sessions 5
        Get-LabStreamingOutcome $svc.SessionLogPath | Group-Object Outcome
    .EXAMPLE
        $slow = Start-LabStreamingService $lab -HostName target -DelayMs 20 -StatusPath '/fail=500'
        Invoke-LabCommand $lab -HostName client -Command "curl -s -o /dev/null -w '%{http_code}' $($slow.Url)/fail"
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [ValidateRange(1, 65535)] [int] $Port = 8080,
        [ValidateRange(0, 600000)] [int] $FinalDelayMs = 300,
        [ValidateRange(-1, 600000)] [int] $FinalDelayMaxMs = -1,
        [ValidateSet('frames', 'timed')] [string] $Partials = 'frames',
        [ValidateSet('abort', 'tolerate')] [string] $EarlyClose = 'abort',
        [ValidateSet('server', 'client')] [string] $Closer = 'server',
        [ValidateRange(0, 600000)] [int] $DelayMs = 0,
        [string[]] $StatusPath = @(),
        [string[]] $DelayPath = @(),
        [ValidateRange(0, 67108864)] [int] $BodyBytes = 3,
        [string[]] $ArgumentList = @(),
        [double] $TimeoutSeconds = 20,
        [ValidateRange(-20, 19)] [int] $Nice = 0
    )
    $dll = Get-LabStreamingServicePath
    if (-not $dll) { throw "StreamingService.dll is not built: run 'make module' (or set TCPREPLAY_STREAMING_SERVICE)." }
    $address = $Lab.Hosts[$HostName].Address
    $dir = Join-Path $Lab.TempDirectory "streaming-$HostName-$Port"
    if (Test-Path -LiteralPath $dir) { throw "The streaming service on $HostName port $Port was already started in this lab ($dir)." }
    $null = New-Item -ItemType Directory -Path $dir
    $sessionLog = Join-Path $dir 'sessions.jsonl'
    $accessLog = Join-Path $dir 'access.jsonl'
    $arguments = @($dll, '--address', $address, '--port', "$Port", '--session-log', $sessionLog, '--access-log', $accessLog,
        '--final-delay-ms', "$FinalDelayMs", '--delay-ms', "$DelayMs", '--body-bytes', "$BodyBytes",
        '--partials', $Partials, '--early-close', $EarlyClose, '--closer', $Closer)
    if ($FinalDelayMaxMs -ge 0) { $arguments += '--final-delay-max-ms', "$FinalDelayMaxMs" }
    foreach ($s in $StatusPath) { $arguments += '--status-path', $s }
    foreach ($d in $DelayPath) { $arguments += '--delay-path', $d }
    $arguments += $ArgumentList
    # nice execs dotnet, so the PID stays the service's own.
    $arguments = @('-n', "$Nice", 'dotnet') + $arguments
    $proc = Start-LabProcess $Lab -HostName $HostName -FilePath 'nice' -ArgumentList $arguments -Name "streaming-$HostName-$Port" `
        -StandardOutput (Join-Path $dir 'stdout.txt') -StandardError (Join-Path $dir 'stderr.txt')
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $out = if (Test-Path -LiteralPath $proc.StandardOutput) { [System.IO.File]::ReadAllText($proc.StandardOutput) } else { '' }
        if ($out -match '"event":"listening"') { break }
        if ($proc.Process.HasExited) {
            $err = if (Test-Path -LiteralPath $proc.StandardError) { [System.IO.File]::ReadAllText($proc.StandardError) } else { '' }
            throw "The streaming service on $HostName exited with code $($proc.Process.ExitCode) before listening: $($err.Trim())"
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            Stop-LabProcess $Lab -Id $proc.Id -TimeoutSeconds 3
            throw "The streaming service on $HostName did not listen on ${address}:$Port within $TimeoutSeconds s."
        }
        Start-Sleep -Milliseconds 50
    }
    [pscustomobject]@{
        PSTypeName     = 'TcpReplay.LabStreamingService'
        HostName       = $HostName
        Address        = $address
        Port           = $Port
        Id             = $proc.Id
        Directory      = $dir
        SessionLogPath = $sessionLog
        AccessLogPath  = $accessLog
        Url            = "http://${address}:$Port"
        StreamUrl      = "ws://${address}:$Port/stream"
        StandardError  = $proc.StandardError
    }
}

function Read-LabJsonLine([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return }
    # The service may be appending: a last line without its newline is not complete yet and is left for the next read.
    $text = [System.IO.File]::ReadAllText($Path)
    $end = $text.LastIndexOf("`n")
    if ($end -lt 0) { return }
    foreach ($line in $text.Substring(0, $end).Split("`n")) {
        if ($line.Trim()) { $line | ConvertFrom-Json }
    }
}

function Get-LabStreamingOutcome {
    <#
    .SYNOPSIS
        Reads the session log of the streaming service: one object per ended WebSocket session.
    .DESCRIPTION
        Objects have Session, Outcome (final, early-close, abort), Final, Reason, Remote, RemotePort, Start, End,
        DurationMs, Frames, Bytes, Partials, EndReceived, EndToFinalMs, CloseBeforeFinal, CloseHandshake, FinalDelayMs,
        CloseFrameAtMs
        (examples/StreamingService/README.md).
    .PARAMETER Path
        The session log (SessionLogPath of Start-LabStreamingService; accepted from the pipeline by that name).
    .PARAMETER FromNetworkPrefix
        Only sessions whose client address starts with this text, e.g. '198.19.' for the copied ones.
    .EXAMPLE
        $svc | Get-LabStreamingOutcome | Group-Object Outcome -NoElement
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)] [Alias('SessionLogPath')] [string] $Path,
        [string] $FromNetworkPrefix
    )
    process {
        Read-LabJsonLine $Path | Where-Object { -not $FromNetworkPrefix -or "$($_.remote)".StartsWith($FromNetworkPrefix) }
    }
}

function Get-LabStreamingAccessLog {
    <#
    .SYNOPSIS
        Reads the access log of the streaming service: one object per HTTP request.
    .DESCRIPTION
        Objects have Time, Connection (Kestrel's connection id), Remote, RemotePort, Method, Path, Query, Protocol,
        Status, Bytes, DurationMs and Aborted.
    .PARAMETER Path
        The access log (AccessLogPath of Start-LabStreamingService; accepted from the pipeline by that name).
    .EXAMPLE
        $svc | Get-LabStreamingAccessLog | Group-Object Status -NoElement
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)] [Alias('AccessLogPath')] [string] $Path)
    process { Read-LabJsonLine $Path }
}

function Wait-LabStreamingOutcome {
    <#
    .SYNOPSIS
        Waits (bounded) until the session log holds at least Count sessions (of a network), then returns them all.
    .DESCRIPTION
        Does not throw when the time runs out: it returns what the log holds then, so a test can assert on the count
        and print what it saw.
    .PARAMETER Service
        The object from Start-LabStreamingService.
    .PARAMETER Count
        Sessions to wait for.
    .PARAMETER FromNetworkPrefix
        Only sessions whose client address starts with this text.
    .PARAMETER TimeoutSeconds
        Upper bound on the wait. Default 15.
    .EXAMPLE
        $outcomes = Wait-LabStreamingOutcome $svc -Count 50 -FromNetworkPrefix '198.19.'
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Service,
        [Parameter(Mandatory)] [int] $Count,
        [string] $FromNetworkPrefix,
        [double] $TimeoutSeconds = 15
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    do {
        $outcomes = @(Get-LabStreamingOutcome -Path $Service.SessionLogPath -FromNetworkPrefix $FromNetworkPrefix)
        if ($outcomes.Count -ge $Count) { break }
        Start-Sleep -Milliseconds 200
    } while ($clock.Elapsed.TotalSeconds -lt $TimeoutSeconds)
    $outcomes
}

function Invoke-LabStreamingClient {
    <#
    .SYNOPSIS
        Runs the service's client mode in a lab host's namespace (client by default) and returns its JSON summary.
    .DESCRIPTION
        N concurrent WebSocket sessions: frames at a fixed rate for DurationSeconds, then the end EndMode asks for.
        Bounded by DeadlineSeconds (the client's own deadline) plus a margin for the process.
    .PARAMETER Lab
        The lab.
    .PARAMETER Url
        The service's ws:// URL (StreamUrl of Start-LabStreamingService).
    .PARAMETER HostName
        Where the client runs. Default client.
    .PARAMETER Sessions
        Concurrent sessions. Default 1.
    .PARAMETER FramesPerSecond
        Frames per second per session. Default 50.
    .PARAMETER DurationSeconds
        Streaming time per session. Default 2.
    .PARAMETER FrameBytes
        Frame size. Default 640.
    .PARAMETER StaggerMs
        Session n starts n × StaggerMs after the first. Default 0.
    .PARAMETER EndMode
        final (default: wait for the server's Close), close-after-final (send a Close frame as soon as the final is
        in, as Python's websockets client does), close-after-end ("end" and a Close right after it, as a copier that
        lets the Close overtake the final), close (Close frame instead of "end") or abort (drop the connection after
        "end").
    .PARAMETER FinalTimeoutSeconds
        How long each session waits for its final. Default 10.
    .PARAMETER DeadlineSeconds
        The whole run's bound. Default 60.
    .OUTPUTS
        The summary: sessions, finals, aborts, noFinal, closedByServer, partials, framesSent, endMode,
        endToFinalMsMax, elapsedMs, errors.
    .EXAMPLE
        (Invoke-LabStreamingClient $lab -Url $svc.StreamUrl -Sessions 50).finals
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $Url,
        [string] $HostName = 'client',
        [ValidateRange(1, 1000)] [int] $Sessions = 1,
        [double] $FramesPerSecond = 50,
        [double] $DurationSeconds = 2,
        [int] $FrameBytes = 640,
        [int] $StaggerMs = 0,
        [ValidateSet('final', 'close-after-final', 'close-after-end', 'close', 'abort')] [string] $EndMode = 'final',
        [double] $FinalTimeoutSeconds = 10,
        [double] $DeadlineSeconds = 60
    )
    $dll = Get-LabStreamingServicePath
    if (-not $dll) { throw "StreamingService.dll is not built: run 'make module' (or set TCPREPLAY_STREAMING_SERVICE)." }
    $inv = [cultureinfo]::InvariantCulture
    $command = "dotnet '$dll' client --url '$Url' --sessions $Sessions --fps $($FramesPerSecond.ToString($inv)) " +
        "--duration-seconds $($DurationSeconds.ToString($inv)) --frame-bytes $FrameBytes --stagger-ms $StaggerMs --end-mode $EndMode " +
        "--final-timeout-seconds $($FinalTimeoutSeconds.ToString($inv)) --deadline-seconds $($DeadlineSeconds.ToString($inv))"
    $output = Invoke-LabCommand $Lab -HostName $HostName -TimeoutSeconds ($DeadlineSeconds + 30) -Command $command
    $summary = @($output | Where-Object { $_ -like '{"sessions":*' } | Select-Object -Last 1)
    if (-not $summary) { throw "The streaming client printed no summary: $output" }
    $summary[0] | ConvertFrom-Json
}

function Measure-LabStreamingTiming {
    <#
    .SYNOPSIS
        Compares the WebSocket client traffic a target received with the capture it copies (tests/Lab/streaming_timing.py).
    .DESCRIPTION
        Per session, from its SYN: audio frame lateness (p50, p99, max), Close frames and FINs that came earlier than in
        the original. Returns the oracle's JSON as an object: sessions_original, sessions_target, audio_frames (count,
        min_ms, p50_ms, p99_ms, max_ms), audio_frames_unmatched, close_frames, close_frames_early, fins, fins_early, and
        examples of early ones.
    .PARAMETER Original
        The capture of the client's packets to the online server.
    .PARAMETER Target
        tcpdump of the copied packets on the target.
    .PARAMETER Port
        The server port in the original; the target's too.
    .EXAMPLE
        (Measure-LabStreamingTiming online.pcap target.pcap -Port 8080).audio_frames.p99_ms
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Original,
        [Parameter(Mandatory, Position = 1)] [string] $Target,
        [int] $Port = 8080
    )
    $json = & python3 (Join-Path $PSScriptRoot 'streaming_timing.py') $Original $Target --port $Port
    if ($LASTEXITCODE -ne 0) { throw "streaming_timing.py failed ($LASTEXITCODE) on $Original / $Target" }
    $json | ConvertFrom-Json
}

Export-ModuleMember -Function Measure-LabStreamingTiming, Get-LabStreamingServicePath, Start-LabStreamingService, Get-LabStreamingOutcome, Get-LabStreamingAccessLog,
    Wait-LabStreamingOutcome, Invoke-LabStreamingClient
