#Requires -Version 7.4
<#
.SYNOPSIS
    The live-copy macro benchmark (make bench-load): wrk load on the online nginx of a four-host namespace lab,
    copied to the target by Start-TcpCopy; measures how much of it reaches the target, how soon, and at what cost.
.DESCRIPTION
    Builds a lab (198.18.0.0/15 only): client .10, online .20 and target .30 with nginx, assistant .40;
    fake clients 198.19.0.0/24. Set-TargetRoute runs on the target. For each run a fresh intercept (assistant)
    and a fresh copier (online) are started as lab roles, each its own pwsh process in its host's namespace, so
    their CPU time and peak memory belong to that run alone. Then:

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
    which paces itself far below wrk's rate. Everything is bounded in time, and the lab (namespaces and
    every process it started) is removed in a finally block. Needs root and the built module (make module).
.PARAMETER Runs
    Which runs to make: Raw, Pcap (WaitResponse), Timeline, PcapTimeline, Causal, PcapCausal (the default pacing),
    OneShot, Moderate (WaitResponse), ModerateTimeline, ModerateCausal. Default: all ten. A name may repeat (Causal,
    Timeline, Causal, Timeline): each run is measured apart, so alternating runs give a same-lab comparison with its spread.
.PARAMETER ResultFile
    Where the figures go as JSON (default out/bench-load.json).
.PARAMETER KeepFiles
    A folder: each run's online and target captures (<run>-online.pcap, <run>-target.pcap) and, at the end, both
    nginx access and error logs (online-access.log, target-access.log, online-error.log, target-error.log) are kept there instead of being deleted with the lab,
    with each run's copy result and every connection record in it (<run>-copy-result.json).
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
#>
param(
    [string] $ModulePath = "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1",
    [ValidateSet('Raw', 'Pcap', 'Timeline', 'PcapTimeline', 'Causal', 'PcapCausal', 'OneShot', 'Moderate', 'ModerateTimeline', 'ModerateCausal')]
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
    [ValidateRange(0, 2048)] [int] $CaptureBufferMiB = 0
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
$Url = 'http://198.18.0.20:8080/'
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

function Invoke-LoadRun {
    param([string] $Name, [string] $CaptureMode, [string] $Pacing, [switch] $OneShot, [switch] $Moderate)
    Write-Host "`n=== $Name (capture $CaptureMode, pacing $Pacing, $(if ($OneShot) { "$OneShotRequests one-shot curl requests" } elseif ($Moderate) { 'http_traffic.py, 2,000 connections of 1-19 requests, 20 at a time' } else { "wrk -t$Threads -c$Connections -d${DurationSeconds}s" })) ==="
    $intercept = Start-LabRole $lab -Role Intercept -HostName assistant -ModulePath $ModulePath -Name "intercept-$Name" -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 600 }
    $copy = $null
    $captures = @()
    try {
        $copy = Start-LabRole $lab -Role Copy -HostName online -ModulePath $ModulePath -Name "copy-$Name" -Wait -Parameters @{
            Transfer = '8080-198.18.0.30:8080'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.0.0/24'
            CaptureMode = $CaptureMode; Pacing = $Pacing; Interface = 'eth0'; DeadlineSeconds = 600; Nice = $Nice; InProcess = [bool]$InProcess; CaptureBufferMiB = $CaptureBufferMiB
            # The role's status file is read only to see the intercept link come up; a slower refresh costs the copier less.
            StatusIntervalMilliseconds = 1000
        }
        $linked = Wait-LabCopyCondition $copy { param($s) $s.InterceptConnected } -What 'the intercept link'
        # Unless -InProcess, the copier is the engine's process; the role's pwsh is then the shell that controls it.
        $copyPid = if ($InProcess) { $copy.Process.Id } else { [int]$linked.EngineProcessId }
        $shellPid = if ($InProcess) { $null } else { $copy.Process.Id }
        $interceptPid = $intercept.Process.Id

        $onlineCapture = $targetCapture = $null
        if (-not $NoDelayCapture) {
            $onlineCapture = Start-LabCapture $lab -HostName online -Path (Join-Path $lab.TempDirectory "$Name-online.pcap") -Filter "tcp dst port 8080 and src host 198.18.0.10 and $HasPayload"
            $captures += $onlineCapture
            $targetCapture = Start-LabCapture $lab -HostName target -Path (Join-Path $lab.TempDirectory "$Name-target.pcap") -Filter "tcp dst port 8080 and src net 198.19.0.0/24 and $HasPayload"
            $captures += $targetCapture
        }

        $onlineSkip = Get-LineCount $onlineNginx.AccessLogPath
        $targetSkip = Get-FakeRequestCount $targetNginx 0

        # Idle cost of the two processes (their status loops and runtime), to tell it apart from the copy's.
        $idleCopy0 = Get-ProcessTicks $copyPid; $idleIntercept0 = Get-ProcessTicks $interceptPid
        $idleCopyThreads0 = Get-ThreadTicks $copyPid
        Start-Sleep -Seconds 3
        $idleCopy = (Get-ProcessTicks $copyPid) - $idleCopy0; $idleIntercept = (Get-ProcessTicks $interceptPid) - $idleIntercept0
        $idleCopyThreads = Get-ThreadTicksDelta $idleCopyThreads0 (Get-ThreadTicks $copyPid)
        $memoryBefore = @{ Copy = Get-ProcessMemoryKiB $copyPid 'VmHWM'; Intercept = Get-ProcessMemoryKiB $interceptPid 'VmHWM' }

        $copyTicks0 = Get-ProcessTicks $copyPid; $interceptTicks0 = Get-ProcessTicks $interceptPid
        $shellTicks0 = if ($shellPid) { Get-ProcessTicks $shellPid }
        $copyThreads0 = Get-ThreadTicks $copyPid; $interceptThreads0 = Get-ThreadTicks $interceptPid
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
        $copyTicksLoad = (Get-ProcessTicks $copyPid) - $copyTicks0
        $interceptTicksLoad = (Get-ProcessTicks $interceptPid) - $interceptTicks0
        $online = (Get-LineCount $onlineNginx.AccessLogPath) - $onlineSkip
        $atEnd = Get-FakeRequestCount $targetNginx $targetSkip

        # The ratio over time after the load: sampled every 250 ms up to the settle mark, then until 99.9% (bounded).
        $afterClock = [System.Diagnostics.Stopwatch]::StartNew()
        $samples = [System.Collections.Generic.List[object]]::new()
        $copyThreads = $null; $interceptThreads = $null
        $atSettle = $null; $copyTicksSettle = $null; $interceptTicksSettle = $null; $caughtUp = $null
        while ($true) {
            Start-Sleep -Milliseconds 250
            $t = $afterClock.Elapsed.TotalSeconds
            $copied = Get-FakeRequestCount $targetNginx $targetSkip
            $samples.Add([pscustomobject]@{ Seconds = [math]::Round($t, 2); Copied = $copied })
            if ($null -eq $caughtUp -and $copied -ge 0.999 * $online) { $caughtUp = $t }
            if ($null -eq $atSettle -and $t -ge $SettleSeconds) {
                $atSettle = $copied
                $copyTicksSettle = (Get-ProcessTicks $copyPid) - $copyTicks0
                $shellTicksSettle = if ($shellPid) { (Get-ProcessTicks $shellPid) - $shellTicks0 }
                $interceptTicksSettle = (Get-ProcessTicks $interceptPid) - $interceptTicks0
                $copyThreads = Get-ThreadTicksDelta $copyThreads0 (Get-ThreadTicks $copyPid)
                $interceptThreads = Get-ThreadTicksDelta $interceptThreads0 (Get-ThreadTicks $interceptPid)
            }
            if ($null -ne $atSettle -and ($null -ne $caughtUp -or $t -ge $SettleSeconds + $CatchUpSeconds)) { break }
        }
        $final = $samples[-1].Copied
        $memory = @{ Copy = Get-ProcessMemoryKiB $copyPid 'VmHWM'; Intercept = Get-ProcessMemoryKiB $interceptPid 'VmHWM' }
        $shellMemory = if ($shellPid) { Get-ProcessMemoryKiB $shellPid 'VmHWM' }

        $onlineSaw = $targetSaw = $null
        if ($onlineCapture) {
            $onlineSaw = Stop-LabCapture $lab $onlineCapture
            $targetSaw = Stop-LabCapture $lab $targetCapture
        }
        $captures = @()
        $copyResult = Stop-LabRole $lab $copy -TimeoutSeconds 60
        # Every connection record of the copy, for a closer look at the ones that ended badly.
        if ($KeepFiles) { $copyResult | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath (Join-Path $KeepFiles "$Name-copy-result.json") }
        $copy = $null
        $interceptResult = Stop-LabRole $lab $intercept
        $intercept = $null
        $delay = $null
        if ($onlineSaw) {
            $delay = python3 "$PSScriptRoot/copy_delay.py" --online $onlineSaw.Path --target $targetSaw.Path | ConvertFrom-Json
            if ($KeepFiles) { Move-Item -LiteralPath $onlineSaw.Path, $targetSaw.Path -Destination $KeepFiles -Force }
            else { Remove-Item -LiteralPath $onlineSaw.Path, $targetSaw.Path -ErrorAction Ignore }
        }

        $msPerTick = 1000.0 / $ClockTicks
        $result = [pscustomobject]@{
            Run                        = $Name
            CaptureMode                = $CaptureMode
            Pacing                     = $Pacing
            Load                       = if ($OneShot) { "$OneShotRequests x curl (one connection each)" } elseif ($Moderate) { 'http_traffic.py --connections 2000 --requests-per-connection-max 19 --concurrency 20' } else { "wrk -t$Threads -c$Connections -d${DurationSeconds}s" }
            LoadSeconds                = [math]::Round($loadSeconds, 2)
            WrkRequestsPerSecond       = if ($wrk -match 'Requests/sec:\s+([\d.]+)') { [double]$Matches[1] } else { $null }
            WrkRequests                = if ($wrk -match '(\d+) requests in') { [long]$Matches[1] } else { $null }
            WrkLatencyP50              = if ($wrk -match '50%\s+(\S+)') { $Matches[1] } else { $null }
            WrkLatencyP99              = if ($wrk -match '99%\s+(\S+)') { $Matches[1] } else { $null }
            LoadFailures               = $failures
            OnlineRequests             = $online
            OnlineRequestsPerSecond    = [math]::Round($online / $loadSeconds, 1)
            CopiedAtLoadEnd            = $atEnd
            RatioAtLoadEnd             = if ($online) { [math]::Round($atEnd / $online, 5) } else { $null }
            CopiedAtSettle             = $atSettle
            RatioAtSettle              = if ($online) { [math]::Round($atSettle / $online, 5) } else { $null }
            SettleSeconds              = $SettleSeconds
            CaughtUpSeconds            = if ($null -ne $caughtUp) { [math]::Round($caughtUp, 2) } else { $null }
            CopiedFinal                = $final
            RatioFinal                 = if ($online) { [math]::Round($final / $online, 5) } else { $null }
            FinalSeconds               = $samples[-1].Seconds
            ClockTicksPerSecond        = $ClockTicks
            CopyIdleTicksPerSecond     = [math]::Round($idleCopy / 3.0, 2)
            InterceptIdleTicksPerSecond = [math]::Round($idleIntercept / 3.0, 2)
            CopyTicksLoad              = $copyTicksLoad
            InterceptTicksLoad         = $interceptTicksLoad
            CopyTicksToSettle          = $copyTicksSettle
            InterceptTicksToSettle     = $interceptTicksSettle
            CopyCpuPercentDuringLoad   = [math]::Round(100.0 * $copyTicksLoad * $msPerTick / 1000.0 / $loadSeconds, 1)
            InterceptCpuPercentDuringLoad = [math]::Round(100.0 * $interceptTicksLoad * $msPerTick / 1000.0 / $loadSeconds, 1)
            CopyCpuMicrosecondsPerCopiedRequest      = if ($atSettle) { [math]::Round($copyTicksSettle * $msPerTick * 1000.0 / $atSettle, 1) } else { $null }
            InterceptCpuMicrosecondsPerCopiedRequest = if ($atSettle) { [math]::Round($interceptTicksSettle * $msPerTick * 1000.0 / $atSettle, 1) } else { $null }
            CopyCpuMicrosecondsPerOnlineRequest      = if ($online) { [math]::Round($copyTicksSettle * $msPerTick * 1000.0 / $online, 1) } else { $null }
            EngineProcess              = -not $InProcess
            CaptureBufferMiB           = $CaptureBufferMiB
            ShellCpuMicrosecondsPerCopiedRequest     = if ($shellPid -and $atSettle) { [math]::Round($shellTicksSettle * $msPerTick * 1000.0 / $atSettle, 1) } else { $null }
            ShellPeakMiB               = if ($shellPid) { [math]::Round($shellMemory / 1024.0, 1) } else { $null }
            CopyIdleThreadTicks        = $idleCopyThreads
            CopyThreadTicks            = $copyThreads
            InterceptThreadTicks       = $interceptThreads
            CopyPeakMiB                = [math]::Round($memory.Copy / 1024.0, 1)
            InterceptPeakMiB           = [math]::Round($memory.Intercept / 1024.0, 1)
            CopyPeakBeforeLoadMiB      = [math]::Round($memoryBefore.Copy / 1024.0, 1)
            InterceptPeakBeforeLoadMiB = [math]::Round($memoryBefore.Intercept / 1024.0, 1)
            Delay                      = $delay
            OnlineCaptureDropped       = if ($onlineSaw) { $onlineSaw.PacketsDroppedByKernel } else { $null }
            TargetCaptureDropped       = if ($targetSaw) { $targetSaw.PacketsDroppedByKernel } else { $null }
            Copy                       = $copyResult.Session
            CopyCapture                = $copyResult.Capture
            CopyStatistics             = $copyResult.Statistics
            CopyConnections            = @($copyResult.Connections).Count
            CopyAbnormal               = @($copyResult.Connections | Where-Object { -not $_.IsNormalClose } | Select-Object -First 5)
            Intercept                  = $interceptResult
            RatioSamples               = $samples
        }
        $result | Select-Object Run, OnlineRequests, OnlineRequestsPerSecond, RatioAtLoadEnd, RatioAtSettle, CaughtUpSeconds, RatioFinal,
            CopyCpuMicrosecondsPerCopiedRequest, CopyCpuMicrosecondsPerOnlineRequest, InterceptCpuMicrosecondsPerCopiedRequest, CopyPeakMiB, InterceptPeakMiB,
            ShellCpuMicrosecondsPerCopiedRequest, ShellPeakMiB,
            @{ n = 'DelayP50'; e = { $_.Delay.p50_ms } }, @{ n = 'DelayP90'; e = { $_.Delay.p90_ms } }, @{ n = 'DelayP99'; e = { $_.Delay.p99_ms } } |
            Format-List | Out-Host
        $result
    }
    finally {
        foreach ($c in $captures) { try { $null = Stop-LabCapture $lab $c -SettleMilliseconds 0 } catch { Write-Warning "$_" } }
        if ($copy) { try { $null = Stop-LabRole $lab $copy -TimeoutSeconds 20 } catch { Write-Warning "copy: $_" } }
        if ($intercept) { try { $null = Stop-LabRole $lab $intercept -TimeoutSeconds 20 } catch { Write-Warning "intercept: $_" } }
    }
}

$lab = New-ReplayLab -Hosts client, online, target, assistant
try {
    Write-Host "Lab '$($lab.Prefix)': client 198.18.0.10, online 198.18.0.20, target 198.18.0.30, assistant 198.18.0.40; fake clients 198.19.0.0/24."
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
    }
    foreach ($run in $Runs) {
        $parameters = $plan[$run]
        $results.Add((Invoke-LoadRun @parameters))
    }

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
        Runs    = $results
    }
    $dir = Split-Path -Parent $ResultFile
    if ($dir -and -not (Test-Path $dir)) { $null = New-Item -ItemType Directory -Path $dir }
    $summary | ConvertTo-Json -Depth 8 | Set-Content -Path $ResultFile
    Write-Host "`nSummary (full figures in $ResultFile):"
    $results | Format-Table Run, OnlineRequestsPerSecond, OnlineRequests, RatioAtLoadEnd, RatioAtSettle, CaughtUpSeconds,
        @{ n = 'CopyUs/req'; e = { $_.CopyCpuMicrosecondsPerCopiedRequest } }, @{ n = 'IcptUs/req'; e = { $_.InterceptCpuMicrosecondsPerCopiedRequest } },
        CopyPeakMiB, InterceptPeakMiB, @{ n = 'p50ms'; e = { $_.Delay.p50_ms } }, @{ n = 'p90ms'; e = { $_.Delay.p90_ms } }, @{ n = 'p99ms'; e = { $_.Delay.p99_ms } } -AutoSize | Out-Host
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
