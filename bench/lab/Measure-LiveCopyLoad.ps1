#Requires -Version 7.4

<#
.SYNOPSIS
    The live-copy macro benchmark (make bench-load): wrk load on the online nginx of a four-host namespace lab,
    copied to the target by Start-TcpCopy (or by C tcpcopy 1.3, or not at all); measures how much of it reaches the
    target, how soon, and at what cost, side by side with C tcpcopy and the online host's rate without a copier.
.DESCRIPTION
    Builds a lab (198.18.0.0/15 only): client .10, online .20 and target .30 with nginx, assistant .40;
    fake clients 198.19.0.0/24. Set-TargetRoute runs on the target. For each run a fresh intercept (assistant)
    and a fresh copier (online) are started as lab roles, each its own pwsh process in its host's namespace, so
    their CPU time and peak memory belong to that run alone; or, for the C runs, the reference binaries (C intercept
    1.0 `intercept -i eth0 -F 'tcp and src port 8080'`, C `tcpcopy-raw -x 8080-198.18.0.30:8080 -s 198.18.0.40
    -c 198.19.0.x`, the command lines of tests/Pester/Interop.Lab.Tests.ps1) as lab processes, measured the same way
    (their own process's /proc figures). Then:

      1. 3 s idle: the copier's and intercept's idle CPU (the roles' status loops, the .NET runtime).
      2. Load: `wrk -t<Threads> -c<Connections> -d<Duration>s http://198.18.0.20:8080/` from the client
         (keep-alive runs), or <OneShotRequests> sequential `curl` requests, one connection each (one-shot run).
      3. Copy ratio: target requests from 198.19.* / online requests, when the load ends and <SettleSeconds>
         later; then, bounded by <CatchUpSeconds>, when (if) it reaches 99.9%.
      4. CPU: utime+stime from /proc/<pid>/stat of the copy and intercept pwsh processes from the start of the
         load to the settle mark, per copied request (target requests at the settle mark).
      5. Peak memory: VmHWM of both processes (whole pwsh processes, runtime included).
      6. Copy delay: tcpdump of the client's data segments on the online eth0 and of the copied ones on the
         target eth0; the Nth data segment of a connection is matched on both sides by port and order
         (bench/lab/copy_delay.py); p50/p90/p99 in ms.
      7. The copy and intercept roles' final statistics (close reasons, retransmissions, capture gaps, send
         errors, routed/unrouted, kernel drops).

    Runs: RawSocket and Pcap capture, each with WaitResponse, Timeline and Causal pacing (keep-alive, wrk), a one-shot
    run (RawSocket, WaitResponse), and a moderate run in each pacing: the lab test's generator
    (tests/Lab/http_traffic.py, 2,000 connections of 1 to 19 requests, 20 at a time, 64 KiB answers among them),
    which paces itself far below wrk's rate.

    Side by side with C tcpcopy (same lab, same load, same measurements): NoCopier (wrk alone: the online host's
    rate with nothing copying it, the captures still running), Tcpcopy (C tcpcopy-raw with the C intercept),
    TcpcopyTcpReplayIntercept (C tcpcopy-raw with Start-Intercept), CausalCIntercept (Start-TcpCopy, RawSocket, Causal,
    with the C intercept). Figures a C process does not have (the copy's records and statistics, the shell process)
    are null, as are the copy figures of NoCopier. At the end a table gives, per run kind (means over its repeats),
    copier CPU per online request, online req/s and its share of NoCopier's, the ratio copied at the load's end and
    at the settle mark, peak memory and intercept CPU per copied request, each also divided by Tcpcopy's (the JSON's
    Comparison). The C binaries are those of ../shared/reference/tcpcopy-1.3.0 beside the repository
    (TCPREPLAY_REFERENCE overrides); a run that needs one fails before the first run when it is missing.

    Everything is bounded in time, and the lab (namespaces and every process it started) is removed in a finally
    block. Needs root and the built module (make module).
.PARAMETER Runs
    Which runs to make: Raw, Pcap (WaitResponse), Timeline, PcapTimeline, Causal, PcapCausal (the default pacing),
    OneShot, Moderate (WaitResponse), ModerateTimeline, ModerateCausal; and beside them NoCopier (no copier, no
    intercept), CausalCIntercept (Causal with the C intercept), Tcpcopy (C tcpcopy-raw 1.3 with the C intercept 1.0)
    and TcpcopyTcpReplayIntercept (C tcpcopy-raw with TcpReplay's intercept). Default: the first ten. A name may repeat
    (Causal, Timeline, Causal, Timeline): each run is measured apart, so alternating runs give a same-lab comparison
    with its spread; the side-by-side table averages the repeats of each name.
.PARAMETER Offloads
    Default (the default): the veths keep the kernel's offloads (on). Off: TSO, GSO, GRO and checksum offload off on
    every veth of the lab (New-ReplayLab -DisableOffloads), as on a wire; a second case to run besides the default.
.PARAMETER Workload
    What the online and target nginx do per request of the wrk and curl runs. Config (the default): answer from
    the configuration (`return 200 "ok"` at /). StaticFile: send a small static page (/static/index.html, 646 bytes),
    opening the file each time, as a web server's front page; every request is written to the access log in both. The
    copier's cost per request must not grow when the service does more per request. The Moderate runs keep their own
    generator's paths.
.PARAMETER ResultFile
    Where the figures go as JSON (default out/bench-load.json).
.PARAMETER KeepFiles
    A folder: each run's online and target captures (<run>-<n>-online.pcap, <run>-<n>-target.pcap, n the run's number
    in this invocation) and, at the end, both
    nginx access and error logs (online-access.log, target-access.log, online-error.log, target-error.log) are kept there instead of being deleted with the lab,
    with each run's copy result and every connection record in it (<run>-<n>-copy-result.json), and the C binaries' logs
    (c-intercept-<run>-<n>.log, c-tcpcopy-<run>-<n>.log).
.PARAMETER NoDelayCapture
    No tcpdump on the online and target hosts, so no copy delay. The copier's CPU then has no share of the captures:
    a packet socket's filter runs in the context of the thread that sends the packet, here the copier's.
.PARAMETER Nice
    Start-TcpCopy -Nice for every run: the nice value of the copier's engine and capture threads. 0 (default) leaves
    them at the process's.
.EXAMPLE
    dotnet tool run pwsh -- -File bench/lab/Measure-LiveCopyLoad.ps1
.EXAMPLE
    dotnet tool run pwsh -- -File bench/lab/Measure-LiveCopyLoad.ps1 -Runs Raw -DurationSeconds 10
.EXAMPLE
    make bench-load BENCH_LOAD_ARGS="-Runs NoCopier,Causal,CausalCIntercept,Tcpcopy -DurationSeconds 20"

    TcpReplay's copier and C tcpcopy side by side under the same wrk load, with the online rate without a copier.
.EXAMPLE
    make bench-load BENCH_LOAD_ARGS="-Runs NoCopier,Causal,Tcpcopy,TcpcopyTcpReplayIntercept -Offloads Off"

    The same with segmentation and checksum offloads off on the lab's veths.
.EXAMPLE
    make bench-load BENCH_LOAD_ARGS="-Runs NoCopier,Causal,CausalCIntercept,Tcpcopy -Workload StaticFile"

    The same side by side with nginx sending a small static file per request instead of answering from its configuration.
#>
param(
    [string] $ModulePath = "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1",
    [ValidateSet('Raw', 'Pcap', 'Timeline', 'PcapTimeline', 'Causal', 'PcapCausal', 'OneShot', 'Moderate', 'ModerateTimeline', 'ModerateCausal',
        'NoCopier', 'CausalCIntercept', 'Tcpcopy', 'TcpcopyTcpReplayIntercept')]
    [string[]] $Runs = @('Raw', 'Pcap', 'Timeline', 'PcapTimeline', 'Causal', 'PcapCausal', 'OneShot', 'Moderate', 'ModerateTimeline', 'ModerateCausal'),
    [ValidateRange(1, 300)] [int] $DurationSeconds = 30,
    [ValidateRange(1, 16)] [int] $Threads = 2,
    [ValidateRange(1, 1000)] [int] $Connections = 50,
    [ValidateRange(1, 20000)] [int] $OneShotRequests = 2000,
    [ValidateRange(1, 60)] [int] $SettleSeconds = 5,
    [ValidateRange(0, 120)] [int] $CatchUpSeconds = 30,
    [string] $ResultFile = "$PSScriptRoot/../../out/bench-load.json",
    # Start-TcpCopy -Nice for every run: the copier's engine and capture threads' nice value (0 leaves them alone).
    [ValidateRange(-20, 19)] [int] $Nice = 0,
    # A folder to keep each run's two captures and, at the end, both nginx access logs in, for a closer look.
    [string] $KeepFiles,
    # No tcpdump on the online and target hosts: no copy delay, but the copier's CPU without the captures' share
    # (a packet socket's filter runs in the context of the thread that sends or receives the packet).
    [switch] $NoDelayCapture,
    # Start-TcpCopy -InProcess for every run: the engine inside the role's pwsh. By default the copier is the engine's
    # own process, measured apart from the role's pwsh that started it (reported as the shell: its CPU and memory are
    # the session's mirror and the role's status loop).
    [switch] $InProcess,
    # Start-TcpCopy -CaptureBufferMiB for every run: libpcap's ring (mapped into the copier) or the raw socket's buffer;
    # 0 leaves the cmdlet's default (a 16 MiB ring, a 64 MiB receive buffer).
    [ValidateRange(0, 2048)] [int] $CaptureBufferMiB = 0,
    # The lab's veth offloads: Default leaves the kernel's (on, as on a Docker or Kubernetes host); Off turns TSO, GSO,
    # GRO and checksum offload off on every veth (New-ReplayLab -DisableOffloads), as on a wire. A separate case.
    [ValidateSet('Default', 'Off')] [string] $Offloads = 'Default',
    # What nginx does per request: answer from its configuration (Config) or send a small static file (StaticFile).
    [ValidateSet('Config', 'StaticFile')] [string] $Workload = 'Config'
)
$ErrorActionPreference = 'Stop'
# grep -c exits 1 when it counts nothing; the counts below check what they need themselves.
$PSNativeCommandUseErrorActionPreference = $false
if ((id -u) -ne '0') { throw 'The load benchmark builds network namespaces: run it as root.' }
$ModulePath = (Resolve-Path $ModulePath).Path
if ($KeepFiles) { $KeepFiles = (New-Item -ItemType Directory -Force -Path $KeepFiles).FullName }
Import-Module "$PSScriptRoot/../../tests/Lab/TcpReplayLab.psm1" -Force
Import-Module "$PSScriptRoot/../../tests/Lab/LiveCopyLab.psm1" -Force
$missing = @(Test-LabPrerequisite)
if ($missing) { throw "The load benchmark needs: $(($missing | ForEach-Object { "$($_.Name) ($($_.Detail))" }) -join '; ')" }
foreach ($tool in 'wrk', 'curl', 'python3') {
    if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "The load benchmark needs $tool." }
}
$ClockTicks = [int](getconf CLK_TCK)
$Url = if ($Workload -eq 'StaticFile') { 'http://198.18.0.20:8080/static/index.html' } else { 'http://198.18.0.20:8080/' }
# Data segments only (IPv4 total length - IP header - TCP header > 0): the delay needs nothing else, and a
# smaller capture costs the 2-core host less while it is under load.
$HasPayload = '(ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) != 0'

function Get-ProcessTicks([int] $Id) {
    # Fields after "(comm)": state is the 3rd field of stat, utime the 14th, stime the 15th.
    $stat = [System.IO.File]::ReadAllText("/proc/$Id/stat")
    $rest = $stat.Substring($stat.LastIndexOf(')') + 2) -split ' '
    [long]$rest[11] + [long]$rest[12]
}

# Per thread: tid -> (comm, utime+stime). Linux keeps the first 15 bytes of a .NET thread's name as its comm.
function Get-ThreadTicks([int] $Id) {
    $threads = @{}
    foreach ($task in Get-ChildItem "/proc/$Id/task" -ErrorAction Ignore) {
        try {
            $stat = [System.IO.File]::ReadAllText("$($task.FullName)/stat")
            $open = $stat.IndexOf('('); $close = $stat.LastIndexOf(')')
            $rest = $stat.Substring($close + 2) -split ' '
            $threads[$task.Name] = [pscustomobject]@{ Name = $stat.Substring($open + 1, $close - $open - 1); Ticks = [long]$rest[11] + [long]$rest[12] }
        }
        catch { } # a thread that ended between the listing and the read
    }
    $threads
}

# Where a process spent its CPU between two Get-ThreadTicks snapshots: ticks by thread name, busiest first.
function Get-ThreadTicksDelta($Before, $After, [int] $Top = 8) {
    $byName = @{}
    foreach ($tid in $After.Keys) {
        $ticks = $After[$tid].Ticks - $(if ($Before.ContainsKey($tid)) { $Before[$tid].Ticks } else { 0 })
        $name = $After[$tid].Name
        $byName[$name] = $(if ($byName.ContainsKey($name)) { $byName[$name] } else { 0 }) + $ticks
    }
    @($byName.GetEnumerator() | Where-Object Value -gt 0 | Sort-Object Value -Descending | Select-Object -First $Top |
        ForEach-Object { [pscustomobject]@{ Thread = $_.Key; Ticks = $_.Value } })
}

function Get-ProcessMemoryKiB([int] $Id, [string] $Field) {
    foreach ($line in [System.IO.File]::ReadAllLines("/proc/$Id/status")) {
        if ($line -match "^${Field}:\s+(\d+) kB") { return [long]$Matches[1] }
    }
}

# Counted with grep and wc: the logs reach hundreds of thousands of lines, and this runs every 250 ms.
function Get-FakeRequestCount($Nginx, [long] $Before) {
    if (-not (Test-Path -LiteralPath $Nginx.AccessLogPath)) { return 0 }
    [long](grep -c '^198\.19\.' $Nginx.AccessLogPath) - $Before
}

function Get-LineCount([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return 0 }
    [long]((wc -l $Path) -split ' ')[0]
}

# Helpers for a figure that may not apply: a run without a copier, or a C process that has no shell or records.
# Voluntary and involuntary context switches of all the threads of a process (each thread's /proc/<pid>/task/*/status):
# the hand-overs between threads and the waits a copier pays per request, beside its CPU.
function Get-ContextSwitches([int] $Id) {
    $sum = 0L
    foreach ($task in Get-ChildItem "/proc/$Id/task" -ErrorAction Ignore) {
        try {
            foreach ($line in [System.IO.File]::ReadAllLines("$($task.FullName)/status")) {
                if ($line -match '^(non)?voluntary_ctxt_switches:\s+(\d+)') { $sum += [long]$Matches[2] }
            }
        }
        catch { } # a thread that ended between the listing and the read
    }
    $sum
}

function Get-OptionalTicks($Id) { if ($Id) { Get-ProcessTicks $Id } else { $null } }
function Get-OptionalContextSwitches($Id) { if ($Id) { Get-ContextSwitches $Id } else { $null } }
function Get-TicksSince($Id, $Start) { if ($Id) { (Get-ProcessTicks $Id) - $Start } else { $null } }
function Get-OptionalThreadTicks($Id) { if ($Id) { Get-ThreadTicks $Id } else { $null } }
function Get-OptionalThreadTicksDelta($Id, $Before) { if ($Id) { Get-ThreadTicksDelta $Before (Get-ThreadTicks $Id) } else { $null } }
function Get-OptionalMemoryKiB($Id, [string] $Field) { if ($Id) { Get-ProcessMemoryKiB $Id $Field } else { $null } }
function Get-Rounded($Value, [int] $Digits = 1) { if ($null -ne $Value) { [math]::Round([double]$Value, $Digits) } else { $null } }
# $Count items of work per $Ticks ticks as microseconds each; null when either is missing or nothing was counted.
function Get-MicrosecondsEach($Ticks, $Count) {
    if ($null -eq $Ticks -or -not $Count) { return $null }
    [math]::Round($Ticks * (1000.0 / $ClockTicks) * 1000.0 / $Count, 1)
}

$script:RunNumber = 0
$script:ChannelPort = 36524
$script:Transfer = '8080-198.18.0.30:8080'

# Stops what Invoke-LoadRun started for a copier or an intercept: a TcpReplay role (its result), or a C binary (null).
function Stop-RunProcess($Started, [double] $TimeoutSeconds = 30) {
    if ($Started.Kind -eq 'Role') { return Stop-LabRole $lab $Started.Role -TimeoutSeconds $TimeoutSeconds }
    Stop-LabProcess $lab -Id $Started.Process.Id -TimeoutSeconds 5
    $null
}

function Invoke-LoadRun {
    <#
        One run: a fresh intercept and copier (or none), the load, and its figures. -Copier: TcpReplay (Start-TcpCopy
        in a lab role), Tcpcopy (C tcpcopy-raw 1.3) or None (the load alone: the online host's rate without a copy).
        -InterceptKind: TcpReplay (Start-Intercept in a lab role), C (intercept 1.0) or None (only with -Copier None).
    #>
    param([string] $Name, [string] $Kind, [string] $CaptureMode, [string] $Pacing, [switch] $OneShot, [switch] $Moderate,
        [ValidateSet('TcpReplay', 'Tcpcopy', 'None')] [string] $Copier = 'TcpReplay',
        [ValidateSet('TcpReplay', 'C', 'None')] [string] $InterceptKind = 'TcpReplay')
    $script:RunNumber++
    $tag = "$Name-$($script:RunNumber)"
    $isTcpReplay = $Copier -eq 'TcpReplay'
    $copierText = switch ($Copier) {
        'TcpReplay' { "TcpReplay copier, capture $CaptureMode, pacing $Pacing" }
        'Tcpcopy' { 'C tcpcopy-raw 1.3' }
        'None' { 'no copier' }
    }
    $interceptText = switch ($InterceptKind) { 'TcpReplay' { 'TcpReplay intercept' } 'C' { 'C intercept 1.0' } 'None' { 'no intercept' } }
    Write-Host "`n=== $Name ($copierText, $interceptText, $(if ($OneShot) { "$OneShotRequests one-shot curl requests" } elseif ($Moderate) { 'http_traffic.py, 2,000 connections of 1-19 requests, 20 at a time' } else { "wrk -t$Threads -c$Connections -d${DurationSeconds}s" })) ==="
    $intercept = $null
    $copy = $null
    $captures = @()
    $cLogs = @()
    try {
        $interceptPid = $null
        switch ($InterceptKind) {
            'TcpReplay' {
                $role = Start-LabRole $lab -Role Intercept -HostName assistant -ModulePath $ModulePath -Name "intercept-$tag" -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 600 }
                $intercept = [pscustomobject]@{ Kind = 'Role'; Role = $role; Process = $role.Process }
            }
            'C' {
                # The command line of tests/Pester/Interop.Lab.Tests.ps1 (README of the reference binaries).
                $log = Join-Path $lab.TempDirectory "c-intercept-$tag.log"; $cLogs += $log
                $process = Start-LabProcess $lab -HostName assistant -FilePath (Get-LabReferenceBinary $lab 'intercept') -Name "c-intercept-$tag" -ArgumentList @(
                    '-i', 'eth0', '-F', 'tcp and src port 8080', '-l', $log)
                $intercept = [pscustomobject]@{ Kind = 'C'; Role = $null; Process = $process }
                $null = Wait-LabChannelSocket $lab -HostName assistant -State listening -Port $script:ChannelPort
            }
        }
        if ($intercept) { $interceptPid = $intercept.Process.Id }

        $copyPid = $shellPid = $null
        switch ($Copier) {
            'TcpReplay' {
                $role = Start-LabRole $lab -Role Copy -HostName online -ModulePath $ModulePath -Name "copy-$tag" -Wait -Parameters @{
                    Transfer = $script:Transfer; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.0.0/24'
                    CaptureMode = $CaptureMode; Pacing = $Pacing; Interface = 'eth0'; DeadlineSeconds = 600; Nice = $Nice; InProcess = [bool]$InProcess; CaptureBufferMiB = $CaptureBufferMiB
                    # The role's status file is read only to see the intercept link come up; a slower refresh costs the copier less.
                    StatusIntervalMilliseconds = 1000
                }
                $copy = [pscustomobject]@{ Kind = 'Role'; Role = $role; Process = $role.Process }
                $linked = Wait-LabCopyCondition $role { param($s) $s.InterceptConnected } -What 'the intercept link'
                # Unless -InProcess, the copier is the engine's process; the role's pwsh is then the shell that controls it.
                $copyPid = if ($InProcess) { $role.Process.Id } else { [int]$linked.EngineProcessId }
                $shellPid = if ($InProcess) { $null } else { $role.Process.Id }
            }
            'Tcpcopy' {
                # The command line of tests/Pester/Interop.Lab.Tests.ps1: raw-socket capture, fake clients 198.19.0.x.
                $log = Join-Path $lab.TempDirectory "c-tcpcopy-$tag.log"; $cLogs += $log
                $process = Start-LabProcess $lab -HostName online -FilePath (Get-LabReferenceBinary $lab 'tcpcopy-raw') -Name "c-tcpcopy-$tag" -ArgumentList @(
                    '-x', $script:Transfer, '-s', '198.18.0.40', '-c', '198.19.0.x', '-l', $log)
                $copy = [pscustomobject]@{ Kind = 'C'; Role = $null; Process = $process }
                $null = Wait-LabChannelSocket $lab -HostName online -State established -Port $script:ChannelPort
                $copyPid = $process.Id
            }
        }

        $onlineCapture = $targetCapture = $null
        if (-not $NoDelayCapture) {
            # Also without a copier: the online host then carries the same capture as in the runs it is compared with.
            $onlineCapture = Start-LabCapture $lab -HostName online -Path (Join-Path $lab.TempDirectory "$tag-online.pcap") -Filter "tcp dst port 8080 and src host 198.18.0.10 and $HasPayload"
            $captures += $onlineCapture
            $targetCapture = Start-LabCapture $lab -HostName target -Path (Join-Path $lab.TempDirectory "$tag-target.pcap") -Filter "tcp dst port 8080 and src net 198.19.0.0/24 and $HasPayload"
            $captures += $targetCapture
        }

        $onlineSkip = Get-LineCount $onlineNginx.AccessLogPath
        $targetSkip = Get-FakeRequestCount $targetNginx 0

        # Idle cost of the two processes (their status loops and runtime), to tell it apart from the copy's.
        $idleCopy0 = Get-OptionalTicks $copyPid; $idleIntercept0 = Get-OptionalTicks $interceptPid
        $idleCopyThreads0 = Get-OptionalThreadTicks $copyPid
        Start-Sleep -Seconds 3
        $idleCopy = Get-TicksSince $copyPid $idleCopy0; $idleIntercept = Get-TicksSince $interceptPid $idleIntercept0
        $idleCopyThreads = Get-OptionalThreadTicksDelta $copyPid $idleCopyThreads0
        $memoryBefore = @{ Copy = Get-OptionalMemoryKiB $copyPid 'VmHWM'; Intercept = Get-OptionalMemoryKiB $interceptPid 'VmHWM' }

        $copyTicks0 = Get-OptionalTicks $copyPid; $interceptTicks0 = Get-OptionalTicks $interceptPid
        $copySwitches0 = Get-OptionalContextSwitches $copyPid
        $shellTicks0 = Get-OptionalTicks $shellPid
        $copyThreads0 = Get-OptionalThreadTicks $copyPid; $interceptThreads0 = Get-OptionalThreadTicks $interceptPid
        $loadClock = [System.Diagnostics.Stopwatch]::StartNew()
        if ($OneShot) {
            $command = "for i in `$(seq $OneShotRequests); do curl -s -o /dev/null --max-time 5 $Url || echo fail; done | wc -l"
            $failures = [int](Invoke-LabCommand $lab -HostName client -TimeoutSeconds 300 -Command $command)
            $wrk = $null
        }
        elseif ($Moderate) {
            # The live-copy lab test's traffic, ten times longer: a load the generator paces itself (a few thousand
            # requests/s), to tell a copy that cannot keep up with wrk from one that loses requests at any rate.
            $traffic = Invoke-LabHttpTraffic $lab -Connections 2000 -RequestsMax 19 -Concurrency 20 -Seed 5 -DeadlineSeconds 120
            $failures = $traffic.errors
            $wrk = $null
        }
        else {
            $wrk = Invoke-LabCommand $lab -HostName client -TimeoutSeconds ($DurationSeconds + 60) -Raw -Command "wrk -t$Threads -c$Connections -d${DurationSeconds}s --latency $Url"
            $failures = if ($wrk -match 'Non-2xx or 3xx responses: (\d+)') { [int]$Matches[1] } else { 0 }
            if ($wrk -match 'Socket errors: (.*)') { $failures += 0; Write-Host "wrk socket errors: $($Matches[1])" }
        }
        $loadSeconds = $loadClock.Elapsed.TotalSeconds
        $copyTicksLoad = Get-TicksSince $copyPid $copyTicks0
        $interceptTicksLoad = Get-TicksSince $interceptPid $interceptTicks0
        $online = (Get-LineCount $onlineNginx.AccessLogPath) - $onlineSkip
        $atEnd = Get-FakeRequestCount $targetNginx $targetSkip

        # The ratio over time after the load: sampled every 250 ms up to the settle mark, then until 99.9% (bounded).
        # Without a copier there is nothing to wait for: one sample at the load's end.
        $afterClock = [System.Diagnostics.Stopwatch]::StartNew()
        $samples = [System.Collections.Generic.List[object]]::new()
        $copyThreads = $null; $interceptThreads = $null
        $copySwitchesSettle = $null
        $atSettle = $null; $copyTicksSettle = $null; $interceptTicksSettle = $null; $shellTicksSettle = $null; $caughtUp = $null
        if ($Copier -eq 'None') { $samples.Add([pscustomobject]@{ Seconds = 0; Copied = $atEnd }) }
        while ($Copier -ne 'None') {
            Start-Sleep -Milliseconds 250
            $t = $afterClock.Elapsed.TotalSeconds
            $copied = Get-FakeRequestCount $targetNginx $targetSkip
            $samples.Add([pscustomobject]@{ Seconds = [math]::Round($t, 2); Copied = $copied })
            if ($null -eq $caughtUp -and $copied -ge 0.999 * $online) { $caughtUp = $t }
            if ($null -eq $atSettle -and $t -ge $SettleSeconds) {
                $atSettle = $copied
                $copyTicksSettle = Get-TicksSince $copyPid $copyTicks0
                $copySwitchesSettle = if ($copyPid) { (Get-ContextSwitches $copyPid) - $copySwitches0 } else { $null }
                $shellTicksSettle = Get-TicksSince $shellPid $shellTicks0
                $interceptTicksSettle = Get-TicksSince $interceptPid $interceptTicks0
                $copyThreads = Get-OptionalThreadTicksDelta $copyPid $copyThreads0
                $interceptThreads = Get-OptionalThreadTicksDelta $interceptPid $interceptThreads0
            }
            if ($null -ne $atSettle -and ($null -ne $caughtUp -or $t -ge $SettleSeconds + $CatchUpSeconds)) { break }
        }
        $final = $samples[-1].Copied
        $memory = @{ Copy = Get-OptionalMemoryKiB $copyPid 'VmHWM'; Intercept = Get-OptionalMemoryKiB $interceptPid 'VmHWM' }
        $shellMemory = Get-OptionalMemoryKiB $shellPid 'VmHWM'

        $onlineSaw = $targetSaw = $null
        if ($onlineCapture) {
            $onlineSaw = Stop-LabCapture $lab $onlineCapture
            $targetSaw = Stop-LabCapture $lab $targetCapture
        }
        $captures = @()
        $copyResult = $null
        if ($copy) {
            $copyResult = Stop-RunProcess $copy -TimeoutSeconds 60
            # Every connection record of the copy, for a closer look at the ones that ended badly.
            if ($KeepFiles -and $copyResult) { $copyResult | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath (Join-Path $KeepFiles "$tag-copy-result.json") }
            $copy = $null
        }
        $interceptResult = $null
        if ($intercept) { $interceptResult = Stop-RunProcess $intercept; $intercept = $null }
        if ($KeepFiles) { foreach ($log in $cLogs) { Copy-Item -LiteralPath $log -Destination $KeepFiles -ErrorAction Ignore } }
        $delay = $null
        if ($onlineSaw) {
            if ($Copier -ne 'None') { $delay = python3 "$PSScriptRoot/copy_delay.py" --online $onlineSaw.Path --target $targetSaw.Path | ConvertFrom-Json }
            if ($KeepFiles) { Move-Item -LiteralPath $onlineSaw.Path, $targetSaw.Path -Destination $KeepFiles -Force }
            else { Remove-Item -LiteralPath $onlineSaw.Path, $targetSaw.Path -ErrorAction Ignore }
        }

        $hasCopy = $Copier -ne 'None'
        $result = [pscustomobject]@{
            Run                        = $Name
            Kind                       = $Kind
            Copier                     = $Copier
            InterceptKind              = $InterceptKind
            Offloads                   = $lab.Offloads
            Workload                   = $Workload
            CaptureMode                = if ($isTcpReplay) { $CaptureMode } else { $null }
            Pacing                     = if ($isTcpReplay) { $Pacing } else { $null }
            Load                       = if ($OneShot) { "$OneShotRequests x curl (one connection each)" } elseif ($Moderate) { 'http_traffic.py --connections 2000 --requests-per-connection-max 19 --concurrency 20' } else { "wrk -t$Threads -c$Connections -d${DurationSeconds}s" }
            LoadSeconds                = [math]::Round($loadSeconds, 2)
            WrkRequestsPerSecond       = if ($wrk -match 'Requests/sec:\s+([\d.]+)') { [double]$Matches[1] } else { $null }
            WrkRequests                = if ($wrk -match '(\d+) requests in') { [long]$Matches[1] } else { $null }
            WrkLatencyP50              = if ($wrk -match '50%\s+(\S+)') { $Matches[1] } else { $null }
            WrkLatencyP99              = if ($wrk -match '99%\s+(\S+)') { $Matches[1] } else { $null }
            LoadFailures               = $failures
            OnlineRequests             = $online
            OnlineRequestsPerSecond    = [math]::Round($online / $loadSeconds, 1)
            CopiedAtLoadEnd            = if ($hasCopy) { $atEnd } else { $null }
            RatioAtLoadEnd             = if ($hasCopy -and $online) { [math]::Round($atEnd / $online, 5) } else { $null }
            CopiedAtSettle             = $atSettle
            RatioAtSettle              = if ($hasCopy -and $online) { [math]::Round($atSettle / $online, 5) } else { $null }
            SettleSeconds              = $SettleSeconds
            CaughtUpSeconds            = Get-Rounded $caughtUp 2
            CopiedFinal                = if ($hasCopy) { $final } else { $null }
            RatioFinal                 = if ($hasCopy -and $online) { [math]::Round($final / $online, 5) } else { $null }
            FinalSeconds               = $samples[-1].Seconds
            ClockTicksPerSecond        = $ClockTicks
            CopyIdleTicksPerSecond     = if ($null -ne $idleCopy) { [math]::Round($idleCopy / 3.0, 2) } else { $null }
            InterceptIdleTicksPerSecond = if ($null -ne $idleIntercept) { [math]::Round($idleIntercept / 3.0, 2) } else { $null }
            CopyTicksLoad              = $copyTicksLoad
            InterceptTicksLoad         = $interceptTicksLoad
            CopyTicksToSettle          = $copyTicksSettle
            InterceptTicksToSettle     = $interceptTicksSettle
            CopyCpuPercentDuringLoad   = if ($null -ne $copyTicksLoad) { [math]::Round(100.0 * $copyTicksLoad / $ClockTicks / $loadSeconds, 1) } else { $null }
            InterceptCpuPercentDuringLoad = if ($null -ne $interceptTicksLoad) { [math]::Round(100.0 * $interceptTicksLoad / $ClockTicks / $loadSeconds, 1) } else { $null }
            CopyCpuMicrosecondsPerCopiedRequest      = Get-MicrosecondsEach $copyTicksSettle $atSettle
            InterceptCpuMicrosecondsPerCopiedRequest = Get-MicrosecondsEach $interceptTicksSettle $atSettle
            CopyCpuMicrosecondsPerOnlineRequest      = Get-MicrosecondsEach $copyTicksSettle $online
            CopyContextSwitchesPerOnlineRequest      = if ($null -ne $copySwitchesSettle -and $online) { [math]::Round($copySwitchesSettle / $online, 3) } else { $null }
            EngineProcess              = if ($isTcpReplay) { -not $InProcess } else { $null }
            CaptureBufferMiB           = if ($isTcpReplay) { $CaptureBufferMiB } else { $null }
            ShellCpuMicrosecondsPerCopiedRequest     = Get-MicrosecondsEach $shellTicksSettle $atSettle
            ShellCpuMicrosecondsPerOnlineRequest     = Get-MicrosecondsEach $shellTicksSettle $online
            # The copier and the pwsh that controls it (a TcpReplay copier in its own process); the copier alone otherwise.
            CopyAndShellCpuMicrosecondsPerOnlineRequest = Get-MicrosecondsEach $(if ($null -ne $copyTicksSettle) { $copyTicksSettle + [long]$shellTicksSettle }) $online
            ShellPeakMiB               = Get-Rounded $(if ($null -ne $shellMemory) { $shellMemory / 1024.0 })
            CopyIdleThreadTicks        = $idleCopyThreads
            CopyThreadTicks            = $copyThreads
            InterceptThreadTicks       = $interceptThreads
            CopyPeakMiB                = Get-Rounded $(if ($null -ne $memory.Copy) { $memory.Copy / 1024.0 })
            InterceptPeakMiB           = Get-Rounded $(if ($null -ne $memory.Intercept) { $memory.Intercept / 1024.0 })
            CopyPeakBeforeLoadMiB      = Get-Rounded $(if ($null -ne $memoryBefore.Copy) { $memoryBefore.Copy / 1024.0 })
            InterceptPeakBeforeLoadMiB = Get-Rounded $(if ($null -ne $memoryBefore.Intercept) { $memoryBefore.Intercept / 1024.0 })
            Delay                      = $delay
            OnlineCaptureDropped       = if ($onlineSaw) { $onlineSaw.PacketsDroppedByKernel } else { $null }
            TargetCaptureDropped       = if ($targetSaw) { $targetSaw.PacketsDroppedByKernel } else { $null }
            # The copy's own records: a TcpReplay copier only (C tcpcopy keeps none the bench can read).
            Copy                       = if ($copyResult) { $copyResult.Session } else { $null }
            CopyCapture                = if ($copyResult) { $copyResult.Capture } else { $null }
            CopyStatistics             = if ($copyResult) { $copyResult.Statistics } else { $null }
            CopyConnections            = if ($copyResult) { @($copyResult.Connections).Count } else { $null }
            CopyAbnormal               = if ($copyResult) { @($copyResult.Connections | Where-Object { -not $_.IsNormalClose } | Select-Object -First 5) } else { $null }
            Intercept                  = $interceptResult
            RatioSamples               = $samples
        }
        $result | Select-Object Run, Copier, InterceptKind, OnlineRequests, OnlineRequestsPerSecond, RatioAtLoadEnd, RatioAtSettle, CaughtUpSeconds, RatioFinal,
            CopyCpuMicrosecondsPerCopiedRequest, CopyCpuMicrosecondsPerOnlineRequest, InterceptCpuMicrosecondsPerCopiedRequest, CopyPeakMiB, InterceptPeakMiB,
            ShellCpuMicrosecondsPerCopiedRequest, ShellPeakMiB,
            @{ n = 'DelayP50'; e = { $_.Delay.p50_ms } }, @{ n = 'DelayP90'; e = { $_.Delay.p90_ms } }, @{ n = 'DelayP99'; e = { $_.Delay.p99_ms } } |
            Format-List | Out-Host
        $result
    }
    finally {
        foreach ($c in $captures) { try { $null = Stop-LabCapture $lab $c -SettleMilliseconds 0 } catch { Write-Warning "$_" } }
        if ($copy) { try { $null = Stop-RunProcess $copy -TimeoutSeconds 20 } catch { Write-Warning "copy: $_" } }
        if ($intercept) { try { $null = Stop-RunProcess $intercept -TimeoutSeconds 20 } catch { Write-Warning "intercept: $_" } }
    }
}

# Mean of a property over runs, leaving out runs where it is null; null when none has it.
function Get-Mean($Items, [string] $Property) {
    $values = @($Items | ForEach-Object { $_.$Property } | Where-Object { $null -ne $_ })
    if (-not $values) { return $null }
    ($values | Measure-Object -Average).Average
}

function Get-Quotient($Numerator, $Denominator, [int] $Digits = 3) {
    if ($null -eq $Numerator -or -not $Denominator) { return $null }
    [math]::Round($Numerator / $Denominator, $Digits)
}

# Side by side: each run kind's means (over its repeats), the online rate as a share of the run without a copier, and
# each figure divided by C tcpcopy's (Tcpcopy: tcpcopy-raw with the C intercept), when those runs were made.
function Get-Comparison($Results) {
    # In the order of -Runs (Group-Object would sort the names).
    $groups = @($Results | ForEach-Object Kind | Select-Object -Unique | ForEach-Object {
            $k = $_; [pscustomobject]@{ Name = $k; Group = @($Results | Where-Object Kind -eq $k) } })
    $noCopier = @($groups | Where-Object Name -eq 'NoCopier')
    $tcpcopy = @($groups | Where-Object Name -eq 'Tcpcopy')
    $baseRate = if ($noCopier) { Get-Mean $noCopier[0].Group 'OnlineRequestsPerSecond' } else { $null }
    $reference = $null
    if ($tcpcopy) {
        $g = $tcpcopy[0].Group
        $reference = @{
            Cpu = Get-Mean $g 'CopyCpuMicrosecondsPerOnlineRequest'; Rate = Get-Mean $g 'OnlineRequestsPerSecond'
            End = Get-Mean $g 'RatioAtLoadEnd'; Settle = Get-Mean $g 'RatioAtSettle'; Peak = Get-Mean $g 'CopyPeakMiB'
            Intercept = Get-Mean $g 'InterceptCpuMicrosecondsPerCopiedRequest'
            Switches = Get-Mean $g 'CopyContextSwitchesPerOnlineRequest'
        }
    }
    foreach ($group in $groups) {
        $g = $group.Group
        $cpu = Get-Mean $g 'CopyCpuMicrosecondsPerOnlineRequest'
        $withShell = Get-Mean $g 'CopyAndShellCpuMicrosecondsPerOnlineRequest'
        $rate = Get-Mean $g 'OnlineRequestsPerSecond'
        $end = Get-Mean $g 'RatioAtLoadEnd'
        $settle = Get-Mean $g 'RatioAtSettle'
        $peak = Get-Mean $g 'CopyPeakMiB'
        $interceptCpu = Get-Mean $g 'InterceptCpuMicrosecondsPerCopiedRequest'
        $switches = Get-Mean $g 'CopyContextSwitchesPerOnlineRequest'
        [pscustomobject]@{
            Kind                                = $group.Name
            Copier                              = $g[0].Copier
            InterceptKind                       = $g[0].InterceptKind
            Samples                             = $g.Count
            CopyCpuMicrosecondsPerOnlineRequest = Get-Rounded $cpu
            CopyAndShellCpuMicrosecondsPerOnlineRequest = Get-Rounded $withShell
            CopyContextSwitchesPerOnlineRequest = Get-Rounded $switches 3
            OnlineRequestsPerSecond             = Get-Rounded $rate
            OnlineRateShareOfNoCopier           = Get-Quotient $rate $baseRate
            RatioAtLoadEnd                      = Get-Rounded $end 5
            RatioAtSettle                       = Get-Rounded $settle 5
            # Over the repeats that reached 99.9% within the catch-up bound (CaughtUpRuns of Samples).
            CaughtUpSeconds                     = Get-Rounded (Get-Mean $g 'CaughtUpSeconds') 2
            CaughtUpRuns                        = @($g | Where-Object { $null -ne $_.CaughtUpSeconds }).Count
            CopyPeakMiB                         = Get-Rounded $peak
            # A TcpReplay copier's controlling pwsh (the role's shell), outside CopyPeakMiB; null for C tcpcopy and -InProcess.
            ShellPeakMiB                        = Get-Rounded (Get-Mean $g 'ShellPeakMiB')
            InterceptCpuMicrosecondsPerCopiedRequest = Get-Rounded $interceptCpu
            InterceptPeakMiB                    = Get-Rounded (Get-Mean $g 'InterceptPeakMiB')
            CpuPerOnlineRequestVsTcpcopy        = if ($reference) { Get-Quotient $cpu $reference.Cpu } else { $null }
            CopyAndShellCpuVsTcpcopy            = if ($reference) { Get-Quotient $withShell $reference.Cpu } else { $null }
            OnlineRateVsTcpcopy                 = if ($reference) { Get-Quotient $rate $reference.Rate } else { $null }
            RatioAtLoadEndVsTcpcopy             = if ($reference) { Get-Quotient $end $reference.End } else { $null }
            RatioAtSettleVsTcpcopy              = if ($reference) { Get-Quotient $settle $reference.Settle } else { $null }
            PeakMemoryVsTcpcopy                 = if ($reference) { Get-Quotient $peak $reference.Peak } else { $null }
            InterceptCpuVsTcpcopy               = if ($reference) { Get-Quotient $interceptCpu $reference.Intercept } else { $null }
            ContextSwitchesVsTcpcopy            = if ($reference) { Get-Quotient $switches $reference.Switches } else { $null }
        }
    }
}

$lab = New-ReplayLab -Hosts client, online, target, assistant -DisableOffloads:($Offloads -eq 'Off')
try {
    Write-Host "Lab '$($lab.Prefix)': client 198.18.0.10, online 198.18.0.20, target 198.18.0.30, assistant 198.18.0.40; fake clients 198.19.0.0/24; offloads $($lab.Offloads); workload $Workload ($Url)."
    $onlineNginx = Start-LabNginx $lab -HostName online -Port 8080
    $targetNginx = Start-LabNginx $lab -HostName target -Port 8080
    $null = Invoke-LabPwsh $lab -HostName target -Command "Import-Module '$ModulePath'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"

    $results = [System.Collections.Generic.List[object]]::new()
    $plan = @{
        Raw      = @{ Name = 'raw'; CaptureMode = 'RawSocket'; Pacing = 'WaitResponse' }
        Pcap     = @{ Name = 'pcap'; CaptureMode = 'Pcap'; Pacing = 'WaitResponse' }
        Timeline = @{ Name = 'raw-timeline'; CaptureMode = 'RawSocket'; Pacing = 'Timeline' }
        PcapTimeline = @{ Name = 'pcap-timeline'; CaptureMode = 'Pcap'; Pacing = 'Timeline' }
        Causal   = @{ Name = 'raw-causal'; CaptureMode = 'RawSocket'; Pacing = 'Causal' }
        PcapCausal = @{ Name = 'pcap-causal'; CaptureMode = 'Pcap'; Pacing = 'Causal' }
        OneShot  = @{ Name = 'oneshot'; CaptureMode = 'RawSocket'; Pacing = 'WaitResponse'; OneShot = $true }
        Moderate = @{ Name = 'moderate'; CaptureMode = 'RawSocket'; Pacing = 'WaitResponse'; Moderate = $true }
        ModerateTimeline = @{ Name = 'moderate-timeline'; CaptureMode = 'RawSocket'; Pacing = 'Timeline'; Moderate = $true }
        ModerateCausal = @{ Name = 'moderate-causal'; CaptureMode = 'RawSocket'; Pacing = 'Causal'; Moderate = $true }
        NoCopier = @{ Name = 'no-copier'; Copier = 'None'; InterceptKind = 'None' }
        CausalCIntercept = @{ Name = 'raw-causal-c-intercept'; CaptureMode = 'RawSocket'; Pacing = 'Causal'; InterceptKind = 'C' }
        Tcpcopy  = @{ Name = 'tcpcopy'; Copier = 'Tcpcopy'; InterceptKind = 'C' }
        TcpcopyTcpReplayIntercept = @{ Name = 'tcpcopy-tcpreplay-intercept'; Copier = 'Tcpcopy'; InterceptKind = 'TcpReplay' }
    }
    # The C binaries a run needs, copied into the lab before the first run: a missing one fails here, not halfway.
    foreach ($run in ($Runs | Select-Object -Unique)) {
        if ($plan[$run].InterceptKind -eq 'C') { $null = Get-LabReferenceBinary $lab 'intercept' }
        if ($plan[$run].Copier -eq 'Tcpcopy') { $null = Get-LabReferenceBinary $lab 'tcpcopy-raw' }
    }
    foreach ($run in $Runs) {
        $parameters = $plan[$run]
        $results.Add((Invoke-LoadRun -Kind $run @parameters))
    }
    $comparison = @(Get-Comparison $results)

    $summary = [pscustomobject]@{
        Date    = [DateTime]::UtcNow.ToString('u')
        Machine = [pscustomobject]@{
            Cpu     = ((lscpu | Select-String 'Model name') -replace '.*:\s*', '')
            Cores   = [Environment]::ProcessorCount
            Nice    = $Nice
            Memory  = ((Get-Content /proc/meminfo -TotalCount 1) -replace '\s+', ' ')
            Kernel  = (uname -r)
            DotNet  = [Environment]::Version.ToString()
            Pwsh    = $PSVersionTable.PSVersion.ToString()
        }
        Offloads   = $lab.Offloads
        Workload   = $Workload
        Runs       = $results
        # Per run kind (means over its repeats): the online rate as a share of NoCopier's, each figure over Tcpcopy's.
        Comparison = $comparison
    }
    $dir = Split-Path -Parent $ResultFile
    if ($dir -and -not (Test-Path $dir)) { $null = New-Item -ItemType Directory -Path $dir }
    $summary | ConvertTo-Json -Depth 8 | Set-Content -Path $ResultFile
    Write-Host "`nSummary (full figures in $ResultFile):"
    $results | Format-Table Run, OnlineRequestsPerSecond, OnlineRequests, RatioAtLoadEnd, RatioAtSettle, CaughtUpSeconds,
        @{ n = 'CopyUs/req'; e = { $_.CopyCpuMicrosecondsPerCopiedRequest } }, @{ n = 'CopyUs/online'; e = { $_.CopyCpuMicrosecondsPerOnlineRequest } },
        @{ n = 'IcptUs/req'; e = { $_.InterceptCpuMicrosecondsPerCopiedRequest } },
        CopyPeakMiB, InterceptPeakMiB, @{ n = 'p50ms'; e = { $_.Delay.p50_ms } }, @{ n = 'p90ms'; e = { $_.Delay.p90_ms } }, @{ n = 'p99ms'; e = { $_.Delay.p99_ms } } -AutoSize | Out-String -Width 400 | Out-Host
    Write-Host "Side by side (means per run kind; +shell: the copier and the pwsh that controls it; xNoCopier: online req/s over the run without a copier; /tcpcopy: over C tcpcopy with the C intercept):"
    $comparison | Format-Table Kind, Samples,
        @{ n = 'CopyUs/online'; e = { $_.CopyCpuMicrosecondsPerOnlineRequest } }, @{ n = '/tcpcopy'; e = { $_.CpuPerOnlineRequestVsTcpcopy } },
        @{ n = '+shell'; e = { $_.CopyAndShellCpuMicrosecondsPerOnlineRequest } }, @{ n = '/tcpcopy'; e = { $_.CopyAndShellCpuVsTcpcopy } },
        @{ n = 'ctxsw/online'; e = { $_.CopyContextSwitchesPerOnlineRequest } }, @{ n = '/tcpcopy'; e = { $_.ContextSwitchesVsTcpcopy } },
        @{ n = 'req/s'; e = { $_.OnlineRequestsPerSecond } }, @{ n = 'xNoCopier'; e = { $_.OnlineRateShareOfNoCopier } }, @{ n = '/tcpcopy'; e = { $_.OnlineRateVsTcpcopy } },
        @{ n = 'AtEnd'; e = { $_.RatioAtLoadEnd } }, @{ n = '/tcpcopy'; e = { $_.RatioAtLoadEndVsTcpcopy } },
        @{ n = 'AtSettle'; e = { $_.RatioAtSettle } }, @{ n = '/tcpcopy'; e = { $_.RatioAtSettleVsTcpcopy } },
        @{ n = 'PeakMiB'; e = { $_.CopyPeakMiB } }, @{ n = '/tcpcopy'; e = { $_.PeakMemoryVsTcpcopy } },
        @{ n = 'IcptUs/req'; e = { $_.InterceptCpuMicrosecondsPerCopiedRequest } }, @{ n = '/tcpcopy'; e = { $_.InterceptCpuVsTcpcopy } } -AutoSize | Out-String -Width 400 | Out-Host
}
finally {
    if ($KeepFiles -and $onlineNginx -and $targetNginx) {
        Copy-Item -LiteralPath $onlineNginx.AccessLogPath -Destination (Join-Path $KeepFiles 'online-access.log') -ErrorAction Ignore
        Copy-Item -LiteralPath $targetNginx.AccessLogPath -Destination (Join-Path $KeepFiles 'target-access.log') -ErrorAction Ignore
        Copy-Item -LiteralPath $onlineNginx.ErrorLogPath -Destination (Join-Path $KeepFiles 'online-error.log') -ErrorAction Ignore
        Copy-Item -LiteralPath $targetNginx.ErrorLogPath -Destination (Join-Path $KeepFiles 'target-error.log') -ErrorAction Ignore
    }
    Remove-ReplayLab $lab
}
