#Requires -Version 7.4
# Offline replay end to end in a namespace lab. Paced python clients talk to nginx on the online
# host while tcpdump there writes the capture; Start-TcpCopy -Path then replays the capture's client side from the
# online host to nginx on the target, with Start-Intercept on the assistant and the fake network routed by
# Set-TargetRoute, as in a live copy. tcpdump on the target sees the replay; tests/Lab/offline_timing.py matches its
# segments to the capture's (the copier keeps client ports and sequence numbers) and measures the send-time error
# against the capture's timeline and each connection's close against the capture's.
# Needs root, the lab programs, tcpreplay (skipped with the reason otherwise) and the built module.

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/LiveCopyLab.psm1" -Force
    $script:ModulePath = Get-LabModulePath
    $script:Timing = (Resolve-Path "$PSScriptRoot/../Lab/offline_timing.py").Path
    $script:Client = (Resolve-Path "$PSScriptRoot/../Lab/paced_client.py").Path
    $script:SkipReason = Get-LabSkipReason -Also @(if (-not (Get-Command tcpreplay -ErrorAction Ignore)) { [pscustomobject]@{ Name = 'tcpreplay'; Detail = 'apt-get install tcpreplay' } })
    $script:FakeIndex = 0

    # Takes a capture on the online host of paced clients; returns its path and the clients' summary.
    function New-PacedCapture([string] $Name, [int] $Connections, [int] $Requests, [double] $IntervalMs, [double] $HoldMin, [double] $HoldMax) {
        $path = Join-Path $script:lab.TempDirectory "$Name.pcap"
        $capture = Start-LabCapture $script:lab -HostName online -Path $path -Filter 'tcp port 8080'
        $out = Invoke-LabCommand $script:lab -HostName client -TimeoutSeconds 90 -Command (
            "python3 '$($script:Client)' --server 198.18.0.20 --port 8080 --connections $Connections --requests $Requests --interval-ms $IntervalMs --hold-min $HoldMin --hold-max $HoldMax --seed 5")
        $stats = Stop-LabCapture $script:lab $capture
        [pscustomobject]@{ Path = $path; Clients = ($out | ConvertFrom-Json); Dropped = $stats.PacketsDroppedByKernel }
    }

    # Seconds from the first to the last request the target's nginx logged (it logs each when its answer is written).
    function Get-ServedSpan([object[]] $Served) {
        if ($Served.Count -lt 2) { return 0.0 }
        $times = $Served.Time | Sort-Object
        ($times[-1] - $times[0]).TotalSeconds
    }

    # The target alone: the capture's client segments sent straight from the client host, every connection at once,
    # each segment on its own (autocorking off in the client's namespace, which the lab removes), measured on the
    # target's interface like a replay and in the target's access log.
    function Invoke-DirectClient([string] $Capture, [string] $Name) {
        $directPcap = Join-Path $script:lab.TempDirectory "$Name.pcap"
        $logBefore = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath).Count
        $directCapture = Start-LabCapture $script:lab -HostName target -Path $directPcap -Filter 'tcp dst port 8080 and src host 198.18.0.10'
        try {
            $null = Invoke-LabCommand $script:lab -HostName client -Command 'sysctl -qw net.ipv4.tcp_autocorking=0'
            $out = Invoke-LabCommand $script:lab -HostName client -TimeoutSeconds 60 -Command "python3 '$PSScriptRoot/../Lab/pipelined_client.py' '$Capture' --server 198.18.0.30 --port 8080"
        }
        finally { $null = Stop-LabCapture $script:lab $directCapture }
        $served = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath | Select-Object -Skip $logBefore)
        [pscustomobject]@{ Client = ($out | ConvertFrom-Json); Timing = ((python3 $script:Timing $Capture $directPcap --port 8080) | ConvertFrom-Json); ServedSpan = (Get-ServedSpan $served) }
    }

    # C tcpcopy 1.3's offline replay of the same capture, its timeline -Acceleration times faster, through the lab's
    # intercept (TcpReplay's speaks intercept 1.x), measured on the target like a replay: the capture's client data
    # segments seen there, and the data span. It is given -Seconds, then stopped: the figures come from the target's capture.
    function Invoke-TcpcopyOffline([string] $Capture, [int] $Acceleration, [int] $Seconds = 8) {
        $script:FakeIndex++
        $targetPcap = Join-Path $script:lab.TempDirectory "tcpcopy-$($script:FakeIndex).pcap"
        $log = Join-Path $script:lab.TempDirectory "tcpcopy-offline-$($script:FakeIndex).log"
        $logBefore = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath).Count
        $tcpdump = Start-LabCapture $script:lab -HostName target -Path $targetPcap -Filter 'tcp dst port 8080 and src net 198.19.0.0/16' -BufferSizeKiB 262144
        try {
            $binary = Get-LabReferenceBinary $script:lab 'tcpcopy-offline'
            $out = Invoke-LabCommand $script:lab -HostName online -IgnoreExitCode -TimeoutSeconds ($Seconds + 30) -Command (
                "timeout $Seconds '$binary' -x 8080-198.18.0.30:8080 -s 198.18.0.40 -c 198.19.$($script:FakeIndex).x -i '$Capture' -a $Acceleration -l '$log' 2>&1")
        }
        finally { $null = Stop-LabCapture $script:lab $tcpdump }
        $timing = (python3 $script:Timing $Capture $targetPcap --port 8080) | ConvertFrom-Json
        $served = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath | Select-Object -Skip $logBefore)
        [pscustomobject]@{ Timing = $timing; Served = $served.Count; Output = "$out"; Pps = $timing.matched / [math]::Max(0.001, $timing.target_data_span_s) }
    }

    # Replays a capture from the online host with tcpdump on the target; returns the session's figures, the
    # replaying process's CPU, the target-side timing analysis and the requests the target's nginx served.
    # -Quiet: no sampling inside the replaying process while it runs (the samples read /proc and the session in
    # PowerShell every 500 ms: about 2.5 s of CPU and a few gen0 collections over an 8 s replay, in the process measured).
    function Invoke-Replay([string] $Capture, [string] $Speed = '1', [string] $Extra = '', [int] $WaitSeconds = 100, [switch] $Quiet) {
        $script:FakeIndex++
        # A fresh fake /24 per replay: the same capture replayed again must not meet the previous replay's sockets.
        $fake = "198.19.$($script:FakeIndex).0/24"
        $targetPcap = Join-Path $script:lab.TempDirectory "target-$($script:FakeIndex).pcap"
        $logBefore = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath).Count
        # The oracle must see every segment: a replay at speed 10 or Max from the native copier process is a burst that
        # overflowed tcpdump's 32 MiB buffer once (180 packets dropped, while nginx served every request).
        $tcpdump = Start-LabCapture $script:lab -HostName target -Path $targetPcap -Filter 'tcp dst port 8080 and src net 198.19.0.0/16' -BufferSizeKiB 262144
        $command = @"
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$($script:ModulePath)'
function Get-CpuTicks([string] `$Stat = '/proc/self/stat') { `$f = (Get-Content `$Stat -Raw) -replace '^.*\) ', '' -split ' '; [long]`$f[11] + [long]`$f[12] }
# This shell's CPU and its ended children's (the copier process that ran the replay, once it has ended).
function Get-ShellCpuTicks { `$f = (Get-Content /proc/self/stat -Raw) -replace '^.*\) ', '' -split ' '; [long]`$f[11] + [long]`$f[12] + [long]`$f[13] + [long]`$f[14] }
# The replay's own threads (kernel names are cut to 15 characters): the timeline thread and its copy engine, in the
# copier process that runs them, or in this shell with -InProcess.
function Get-ReplayThreadTicks { `$sum = 0L; foreach (`$t in Get-ChildItem "/proc/`$script:engine/task" -ErrorAction Ignore) { if ((Get-Content "`$(`$t.FullName)/comm" -ErrorAction Ignore) -in 'TcpReplay offli', 'TcpReplay copy ') { `$sum += Get-CpuTicks "`$(`$t.FullName)/stat" } }; `$sum }
`$s = Start-TcpCopy -Path '$Capture' -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress $fake -Speed $Speed -DrainTimeoutSeconds 0.3 $Extra -ErrorVariable replayErrors -ErrorAction SilentlyContinue
if (-not `$s) { throw "Start-TcpCopy failed: `$(`$replayErrors | Out-String)" }
`$script:engine = if (`$s.EngineProcessId) { `$s.EngineProcessId } else { 'self' }
`$ticks = Get-ShellCpuTicks
`$clock = [Diagnostics.Stopwatch]::StartNew()
# Samples every 500 ms: the replay threads' CPU and the packets handed over, to find the idle stretches.
`$samples = [Collections.Generic.List[object]]::new()
while (`$s.JobStateInfo.State -eq 'Running' -and `$clock.Elapsed.TotalSeconds -lt $WaitSeconds) {
    if (-not `$$($Quiet.IsPresent)) {
        `$samples.Add([pscustomobject]@{ T = `$clock.Elapsed.TotalSeconds; Ticks = (Get-ReplayThreadTicks); Posted = `$s.ReplayProgress.PacketsReplayed })
    }
    Start-Sleep -Milliseconds 500
}
`$null = `$s | Wait-TcpCopy -TimeoutSeconds 2
`$wall = `$clock.Elapsed.TotalSeconds
# The longest stretch (at least 1 s) in which no packet was handed over: CPU of the replay threads while they only wait.
`$idle = `$null
for (`$i = 0; `$i -lt `$samples.Count; `$i++) {
    for (`$j = `$samples.Count - 1; `$j -gt `$i; `$j--) {
        `$span = `$samples[`$j].T - `$samples[`$i].T
        if (`$samples[`$j].Posted -eq `$samples[`$i].Posted -and `$span -ge 1 -and (-not `$idle -or `$span -gt `$idle.Seconds)) {
            `$idle = [pscustomobject]@{ Seconds = `$span; CpuSeconds = (`$samples[`$j].Ticks - `$samples[`$i].Ticks) / 100.0 }
            break
        }
    }
}
`$cpu = ((Get-ShellCpuTicks) - `$ticks) / 100.0
`$p = `$s.ReplayProgress
[pscustomobject]@{
    State = "`$(`$s.JobStateInfo.State)"; WallSeconds = `$wall; CpuSeconds = `$cpu; ReplayThreadCpuSeconds = (Get-ReplayThreadTicks) / 100.0
    IdleSeconds = `$idle.Seconds; IdleCpuSeconds = `$idle.CpuSeconds; LoadAverage = [double]((Get-Content /proc/loadavg -Raw) -split ' ')[0]
    Phase = "`$(`$p.Phase)"; ConnectionsTotal = `$p.ConnectionsTotal; ConnectionsStarted = `$p.ConnectionsStarted; ConnectionsDone = `$p.ConnectionsDone
    PacketsTotal = `$p.PacketsTotal; PacketsReplayed = `$p.PacketsReplayed; CaptureSeconds = `$p.CaptureTimeTotal.TotalSeconds; PercentComplete = `$p.PercentComplete
    LatenessP50Ms = `$p.SendLatenessP50.TotalMilliseconds; LatenessP99Ms = `$p.SendLatenessP99.TotalMilliseconds; LatenessMaxMs = `$p.SendLatenessMax.TotalMilliseconds
    SentPackets = `$s.SentPackets; PacketsSent = `$s.Statistics.PacketsSent; Retransmissions = `$s.Statistics.Retransmissions; ResegmentedPackets = `$s.Statistics.ResegmentedPackets; Completed = `$s.Completed; Failed = `$s.Failed; CloseReasons = `$s.CloseReasons; ClosesHeld = `$s.Statistics.ClosesHeld
    FileProblems = @(`$s.FileProblems | ForEach-Object { [pscustomobject]@{ Kind = "`$(`$_.Damage.Kind)"; Offset = `$_.Damage.Offset; RecordsRead = `$_.RecordsRead } })
    ErrorIds = @(`$replayErrors | ForEach-Object FullyQualifiedErrorId)
    Events = @(`$s.Events | ForEach-Object { "`$_" }); EngineProcessId = `$s.EngineProcessId
} | ConvertTo-Json -Depth 4 -Compress
`$s | Stop-TcpCopy
"@
        try {
            $json = Invoke-LabPwsh $script:lab -HostName online -Command $command -TimeoutSeconds 150
        }
        finally {
            $targetCaptureStats = Stop-LabCapture $script:lab $tcpdump
        }
        $session = ($json -split "`n" | Where-Object { $_.StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json
        $speedFactor = if ($Speed -eq 'Max') { 1 } else { [double]$Speed }
        $timing = (python3 $script:Timing $Capture $targetPcap --port 8080 --speed $speedFactor) | ConvertFrom-Json
        $served = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath | Select-Object -Skip $logBefore)
        $servedSpan = Get-ServedSpan $served
        $servedTargets = [System.Collections.Generic.HashSet[string]]::new([string[]]@($served.Target))
        $notServed = @($timing.capture_requests | Where-Object { -not $servedTargets.Contains($_) })
        [pscustomobject]@{ Session = $session; Timing = $timing; Served = $served.Count; ServedSpan = $servedSpan; NotServed = $notServed; TargetPcap = $targetPcap; Fake = $fake
            CaptureDropped = $targetCaptureStats.PacketsDroppedByKernel }
    }
}

Describe 'Offline replay (Start-TcpCopy -Path) in a four-host lab' -Tag 'Lab', 'OfflineReplay' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        $script:lab = $null
        if ($script:SkipReason) { return }
        $script:lab = New-ReplayLab -Hosts client, online, target, assistant
        $script:onlineNginx = Start-LabNginx $script:lab -HostName online -Port 8080
        $script:targetNginx = Start-LabNginx $script:lab -HostName target -Port 8080
        $null = Invoke-LabPwsh $script:lab -HostName target -Command "Import-Module '$($script:ModulePath)'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"
        $script:intercept = Start-LabRole $script:lab -Role Intercept -HostName assistant -ModulePath $script:ModulePath -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 300 }
        # 20 keep-alive connections, each a request every 15 ms (+-20 %) for 7.5 s: 10,000 client data segments,
        # about 20,000 client packets with the ACKs; each closes 0.3-0.8 s after its last answer.
        $script:dense = New-PacedCapture -Name dense -Connections 20 -Requests 500 -IntervalMs 15 -HoldMin 0.3 -HoldMax 0.8
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    Context 'timing fidelity at speed 1 (a capture of 10,000 client data segments)' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:run = Invoke-Replay -Capture $script:dense.Path -Speed 1 -Quiet
            $t = $script:run.Timing
            Write-Host ("Offline replay speed 1: {0} data segments matched of {1}; send-time error p50 {2:0.###} ms, p99 {3:0.###} ms, max {4:0.###} ms; copier's own hand-over lateness p50 {5:0.###} ms, p99 {6:0.###} ms; replay CPU {7:0.00} s over {8:0.0} s; load average {9}" -f
                $t.matched, $t.capture_data_segments, $t.p50_ms, $t.p99_ms, $t.max_ms, $script:run.Session.LatenessP50Ms, $script:run.Session.LatenessP99Ms, $script:run.Session.CpuSeconds, $script:run.Session.WallSeconds, $script:run.Session.LoadAverage)
        }

        It 'captured at least 10,000 client data segments with nothing dropped' {
            $script:dense.Clients.errors | Should -Be 0
            $script:run.Timing.capture_data_segments | Should -BeGreaterOrEqual 10000
            $script:run.Timing.capture_client_packets | Should -BeGreaterOrEqual 10000
        }

        It 'replays every client data segment to the target and completes by itself' {
            $script:run.Session.State | Should -Be 'Completed'
            $script:run.Timing.missing | Should -Be 0
            $script:run.NotServed | Should -BeNullOrEmpty
            $script:run.Served | Should -Be $script:run.Timing.capture_requests.Count
            $script:run.Session.Failed | Should -Be 0
            $script:run.Session.ConnectionsDone | Should -Be 20
        }

        It 'keeps the median send-time error under 1 ms and the p99 under 20 ms (the figures are printed)' {
            # The median shows the scheduler meets the timeline: 0.05-0.14 ms in every run so far. The p99 is the
            # shared 2-core host's: 2.3-3.6 ms since the replay rehearses its packet path (2026-12-07; 8-30 ms
            # before), against an aim of 1 ms (docs/benchmarks.md says what the rest is). A replay that starts on
            # unoptimized code was 30 ms late at p99, a broken scheduler is seconds late.
            $script:run.Timing.p50_ms | Should -BeLessThan 1
            $script:run.Timing.p99_ms | Should -BeLessThan 20
        }

        It 'replays in a copier process of its own, not in the shell' {
            $script:run.Session.EngineProcessId | Should -Not -BeNullOrEmpty
        }

        It 'shows the progress totals on the session' {
            $p = $script:run.Session
            $p.PercentComplete | Should -Be 100
            $p.ConnectionsTotal | Should -Be 20
            $p.PacketsReplayed | Should -Be $p.PacketsTotal
            $p.CaptureSeconds | Should -BeGreaterThan 7
        }
    }

    Context 'the same capture at speed 1 inside the shell (-InProcess), beside the copier process' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:inShell = Invoke-Replay -Capture $script:dense.Path -Speed 1 -Quiet -Extra '-InProcess'
            $t = $script:inShell.Timing
            Write-Host ("Offline replay speed 1 inside the shell: {0} data segments matched of {1}; send-time error p50 {2:0.###} ms, p99 {3:0.###} ms, max {4:0.###} ms; copier's own hand-over lateness p50 {5:0.###} ms, p99 {6:0.###} ms; replay CPU {7:0.00} s over {8:0.0} s; load average {9}" -f
                $t.matched, $t.capture_data_segments, $t.p50_ms, $t.p99_ms, $t.max_ms, $script:inShell.Session.LatenessP50Ms, $script:inShell.Session.LatenessP99Ms, $script:inShell.Session.CpuSeconds, $script:inShell.Session.WallSeconds, $script:inShell.Session.LoadAverage)
        }

        It 'runs in the shell and replays every client data segment within the same bounds' {
            $script:inShell.Session.EngineProcessId | Should -BeNullOrEmpty
            $script:inShell.Session.State | Should -Be 'Completed'
            $script:inShell.Timing.missing | Should -Be 0
            $script:inShell.Timing.p50_ms | Should -BeLessThan 1
            $script:inShell.Timing.p99_ms | Should -BeLessThan 20
        }
    }

    Context 'speed 10 and Max, against tcpreplay --topspeed' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:ten = Invoke-Replay -Capture $script:dense.Path -Speed 10
            # Max is measured -Quiet: the controlling shell's sampling would take one of the two cores from the copier.
            # Three plays each, the median taken: the 2 cores are shared, and one play lasts a fraction of a second.
            $script:maxRuns = @(1..3 | ForEach-Object { Invoke-Replay -Capture $script:dense.Path -Speed Max -WaitSeconds 20 -Quiet })
            # Packets/s of a Max play: the capture's client segments the copier sent (data and FINs, each once), over the
            # target's data span (its first packet to its last data segment). The span to its very last packet holds
            # the close, which waits for the target to go quiet for the drain time whatever the speed: printed beside.
            foreach ($run in $script:maxRuns) {
                $run | Add-Member -NotePropertyName Pps -NotePropertyValue ($run.Session.SentPackets / [math]::Max(0.001, $run.Timing.target_data_span_s))
                $run | Add-Member -NotePropertyName WholeSpanPps -NotePropertyValue ($run.Session.SentPackets / [math]::Max(0.001, $run.Timing.target_span_s))
            }
            $script:max = @($script:maxRuns | Sort-Object Pps)[1]
            # The reference sender: tcpreplay of the capture's client packets on the online host's eth0, three times.
            $clientOnly = Join-Path $script:lab.TempDirectory 'dense-client.pcap'
            $null = Invoke-LabCommand $script:lab -HostName online -Command "tcpdump -r '$($script:dense.Path)' -w '$clientOnly' 'tcp dst port 8080' 2>/dev/null"
            $script:tcpreplayRuns = @(1..3 | ForEach-Object {
                $out = Invoke-LabCommand $script:lab -HostName online -Command "tcpreplay --topspeed -i eth0 '$clientOnly' 2>&1"
                if ("$out" -match 'Rated:[^\n]*?([\d.]+) pps') { [double]$Matches[1] } })
            $script:tcpreplayPps = if ($script:tcpreplayRuns.Count -eq 3) { @($script:tcpreplayRuns | Sort-Object)[1] } else { $null }
            # The C reference binaries lie beside the repository (Get-LabReferenceBinary); without them this one is skipped.
            $reference = if ($env:TCPREPLAY_REFERENCE) { $env:TCPREPLAY_REFERENCE } else { "$PSScriptRoot/../../../shared/reference/tcpcopy-1.3.0" }
            $script:tcpcopy = if (Test-Path -LiteralPath (Join-Path $reference 'tcpcopy-offline')) { Invoke-TcpcopyOffline -Capture $script:dense.Path -Acceleration 1000 }
            $script:alone = Invoke-DirectClient -Capture $script:dense.Path -Name dense-direct
            $script:direct = $script:alone.Client
            $script:directTiming = $script:alone.Timing
            $m = $script:max
            $script:maxPps = $m.Pps
            $script:maxRatio = if ($script:tcpreplayPps) { $script:maxPps / $script:tcpreplayPps } else { 0 }
            Write-Host ("Offline replay speed 10: capture data span {0:0.00} s, target data span {1:0.00} s" -f $script:ten.Timing.capture_data_span_s, $script:ten.Timing.target_data_span_s)
            foreach ($run in $script:maxRuns) {
                Write-Host ("Offline replay speed Max: {0} client segments sent, data span {1:0.000} s: {2:0} packets/s; to the last packet (the held closes) {3:0.000} s: {4:0} packets/s; {5} packets sent in all (handshakes and ACKs too), {6} retransmissions; {7} connections ended" -f
                    $run.Session.SentPackets, $run.Timing.target_data_span_s, $run.Pps, $run.Timing.target_span_s, $run.WholeSpanPps, $run.Session.PacketsSent, $run.Session.Retransmissions, $run.Session.ConnectionsDone)
            }
            Write-Host ("tcpreplay --topspeed of the {0} client packets: {1} packets/s; median Max {2:0} packets/s against median tcpreplay {3:0} packets/s: ratio {4:0.000}" -f
                $m.Timing.capture_client_packets, ($script:tcpreplayRuns -join ', '), $script:maxPps, $script:tcpreplayPps, $script:maxRatio)
            $c = $script:tcpcopy
            if ($c) { Write-Host ("C tcpcopy-offline -a 1000 of the same capture: {0} of {1} client data segments at the target, data span {2:0.000} s: {3:0} packets/s ({4:0.000} of tcpreplay's); nginx served {5} requests" -f
                $c.Timing.matched, $c.Timing.capture_data_segments, $c.Timing.target_data_span_s, $c.Pps, ($c.Pps / [math]::Max(1, $script:tcpreplayPps)), $c.Served) }
            Write-Host ("The target alone (a direct client sending the same {0} requests pipelined on {1} connections, segment by segment): data span {2:0.00} s on the target, every answer after {3:0.00} s, nginx served them in {4:0.00} s; the copier at Max: data span {5:0.00} s, nginx served them in {6:0.00} s" -f
                $script:direct.requests, $script:direct.connections, $script:directTiming.target_data_span_s, $script:direct.seconds, $script:alone.ServedSpan, $m.Timing.target_data_span_s, $m.ServedSpan)
        }

        It 'finishes speed 10 in about a tenth of the capture span' {
            # Like with like: first client packet to last client data segment, in the capture and on the target.
            $tenth = $script:ten.Timing.capture_data_span_s / 10
            $script:ten.Timing.target_data_span_s | Should -BeGreaterOrEqual ($tenth * 0.9)
            $script:ten.Timing.target_data_span_s | Should -BeLessThan ($tenth + 1.5)
            $script:ten.Timing.missing | Should -Be 0
        }

        It 'plays at Max faster than at speed 10' {
            $script:max.Timing.target_data_span_s | Should -BeLessThan $script:ten.Timing.target_data_span_s
        }

        # With the kernel's default offloads nginx's answers are 64 KiB TSO segments, and at Max tcpdump on the target
        # loses some of the copies it should record (its ring fills): a segment missing from that capture is counted
        # against tcpdump's own drops, and every request must still be served.
        It 'replays every request at Max, each connection in order' {
            foreach ($run in $script:maxRuns) {
                $run.NotServed | Should -BeNullOrEmpty
                $run.Timing.missing | Should -BeLessOrEqual ([long]$run.CaptureDropped) -Because "tcpdump on the target dropped $($run.CaptureDropped)"
            }
        }

        # 500 pipelined requests per connection at Max once froze the copy engine (a held close asked to be woken at
        # a time already past, and the timer loop spun at that instant): the copies must end by themselves.
        It 'completes by itself at Max' {
            $script:maxRuns.Session.State | Should -Be @('Completed', 'Completed', 'Completed')
        }

        # The issue asks for a Max replay limited by the target. The reference is the target fed by the kernel's own TCP
        # client, as fast as a client can feed it. Measured 2026-12-07: the copier's data span was 0.85-1.31 times the
        # direct client's in 8 of 9 runs, 1.70 in one (inside make test); 1.5-2.5 times before the rehearsal and the
        # engine fixes of that day. The bound leaves room for the shared 2 cores and catches a copier that falls behind.
        It 'takes at Max no more than twice what the target needs for the same segments from a direct client' {
            $script:direct.answers | Should -Be $script:direct.requests
            $script:max.Timing.target_data_span_s | Should -BeLessOrEqual (2 * $script:directTiming.target_data_span_s + 0.05)
        }

        It 'measures tcpreplay --topspeed as the reference sender' {
            $script:tcpreplayPps | Should -BeGreaterThan 0
        }

        # Issue 19 asks Max for half of tcpreplay --topspeed's packets/s on the same client packets and veth, with TCP
        # state kept: the handshake first, the target's window, ACKs only for what the target sent. Each copied segment
        # also goes through the target's TCP stack in the copier's sending thread (veth delivers in the sender's
        # context). The aim is not met in every run on the shared 2 cores; the bound leaves room below the lowest run and
        # fails a copier back at one system call per packet. docs/benchmarks.md has the figures.
        It 'sends at Max at least 0.25 times tcpreplay --topspeed''s packets/s (medians of three; the figures are printed)' {
            $script:maxRatio | Should -BeGreaterOrEqual 0.25
        }

        It 'measures C tcpcopy-offline -a 1000 beside them' {
            if (-not $script:tcpcopy) { Set-ItResult -Skipped -Because 'the C reference binary tcpcopy-offline is not beside the repository' }
            $script:tcpcopy.Timing.matched | Should -BeGreaterThan 0 -Because $script:tcpcopy.Output
        }
    }

    # The lab keeps the kernel's offloads: the client's kernel hands veth segments of up to 64 KiB (GSO), and the online
    # host's capture holds them so. Uploads show it; the replay must cut them to the MTU, and the target take every byte.
    Context 'a capture of uploads holding GSO super-segments (the kernel''s default offloads)' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $path = Join-Path $script:lab.TempDirectory 'uploads.pcap'
            $capture = Start-LabCapture $script:lab -HostName online -Path $path -Filter 'tcp port 8080'
            $null = Invoke-LabCommand $script:lab -HostName client -Command (
                "head -c 262144 /dev/urandom > '$($script:lab.TempDirectory)/body.bin'; for i in `$(seq 1 10); do " +
                "curl -s -o /dev/null -H 'Expect:' --data-binary @'$($script:lab.TempDirectory)/body.bin' http://198.18.0.20:8080/upload; done")
            $null = Stop-LabCapture $script:lab $capture
            $script:big = @(& tshark -n -r $path -Y 'tcp.dstport == 8080 && frame.len > 1514' -T fields -e frame.number 2>$null).Count
            $logBefore = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath).Count
            $script:uploads = Invoke-Replay -Capture $path -Speed 1
            $script:uploadsServed = @(Get-LabAccessLog -Path $script:targetNginx.AccessLogPath | Select-Object -Skip $logBefore | Where-Object Target -eq '/upload')
            $script:uploadFrames = @(& tshark -n -r $script:uploads.TargetPcap -T fields -e frame.len 2>$null | ForEach-Object { [int]$_ })
            Write-Host "Uploads: $($script:big) client frames beyond the MTU in the capture; the replay re-segmented $($script:uploads.Session.ResegmentedPackets); target served $($script:uploadsServed.Count) of 10 uploads; largest frame at the target $(($script:uploadFrames | Measure-Object -Maximum).Maximum)"
        }

        It 'captures the uploads as segments beyond the MTU, as the kernel''s defaults make them' {
            $script:big | Should -BeGreaterThan 0
        }

        It 'cuts each of them to the MTU, and the target takes every upload' {
            $script:uploads.Session.ResegmentedPackets | Should -BeGreaterOrEqual 1
            ($script:uploadFrames | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 1514
            $script:uploadsServed.Count | Should -Be 10
            $script:uploads.Session.Failed | Should -Be 0
        }
    }

    Context 'a truncated capture' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $bytes = [System.IO.File]::ReadAllBytes($script:dense.Path)
            $script:cut = Join-Path $script:lab.TempDirectory 'dense-cut.pcap'
            # Cut 40 % in, 7 bytes into whatever record lies there.
            [System.IO.File]::WriteAllBytes($script:cut, $bytes[0..([int]($bytes.Length * 0.4) + 7)])
            $script:truncated = Invoke-Replay -Capture $script:cut -Speed 10
        }

        It 'reports the damage as an error with the offset and keeps it on the session' {
            $script:truncated.Session.ErrorIds | Should -Contain 'CaptureFileTruncated,TcpReplay.PowerShell.Cmdlets.StartTcpCopyCommand'
            $problem = $script:truncated.Session.FileProblems | Select-Object -First 1
            $problem.Kind | Should -Be 'Truncated'
            $problem.Offset | Should -BeGreaterThan 0
            $problem.Offset | Should -BeLessThan ((Get-Item $script:cut).Length)
        }

        It 'replays everything before the damage to the target' {
            $script:truncated.Session.State | Should -Be 'Completed'
            $script:truncated.Timing.capture_requests.Count | Should -BeGreaterThan 3000
            $script:truncated.CaptureDropped | Should -Be 0 -Because "the target's tcpdump must see every packet for the count of missing segments to mean anything"
            $script:truncated.Timing.missing | Should -Be 0
            $script:truncated.NotServed | Should -BeNullOrEmpty -Because "every request before the damage must reach the target"
            Write-Host ("Truncated capture: {0} requests readable before the damage at byte {1}; the target served {2} (requests cut at the damage may be served too)" -f
                $script:truncated.Timing.capture_requests.Count, $script:truncated.Session.FileProblems[0].Offset, $script:truncated.Served)
        }
    }

    Context 'connections held open before they close (close rule, idle CPU)' {
        BeforeAll {
            if ($script:SkipReason) { return }
            # 8 connections, 4 requests 300 ms apart, then open 2-3.5 s before the FIN: a sparse timeline with an idle stretch.
            $script:sparse = New-PacedCapture -Name sparse -Connections 8 -Requests 4 -IntervalMs 300 -HoldMin 2 -HoldMax 3.5
            $script:held = Invoke-Replay -Capture $script:sparse.Path -Speed 1
            $script:waitResponse = Invoke-Replay -Capture $script:sparse.Path -Speed 1 -Extra '-Pacing WaitResponse'
            $s = $script:held.Session
            Write-Host ("Offline replay, sparse timeline: close slack vs capture min {0:0.###} ms, p50 {1:0.###} ms (WaitResponse: min {2:0.###} ms); replay threads idle-waiting {3:0.00} s CPU over {4:0.0} s = {5:0.0} % of one core; whole pwsh process {6:0.00} s CPU over {7:0.0} s (JIT included)" -f
                $script:held.Timing.close_slack_min_ms, $script:held.Timing.close_slack_p50_ms, $script:waitResponse.Timing.close_slack_min_ms, $s.IdleCpuSeconds, $s.IdleSeconds, (100 * $s.IdleCpuSeconds / [math]::Max(0.001, $s.IdleSeconds)), $s.CpuSeconds, $s.WallSeconds)
        }

        It 'sends no close earlier after its connection''s first packet than in the capture' {
            $script:held.Timing.closes_compared | Should -Be 8
            $script:held.Timing.closes_early | Should -Be 0 -Because ($script:held.Timing.early | ConvertTo-Json -Compress)
        }

        It 'follows the capture''s close time rather than holding the close for long' {
            # The drain time is 0.3 s and the holds are 1-2.5 s: each close goes at its capture time (+1 ms guard).
            $script:held.Timing.close_slack_p50_ms | Should -BeLessThan 300
        }

        It 'keeps the close rule with WaitResponse pacing too, and replays every request' {
            $script:waitResponse.Timing.closes_early | Should -Be 0
            $script:waitResponse.Timing.missing | Should -Be 0
            $script:waitResponse.NotServed | Should -BeNullOrEmpty
            $script:waitResponse.Served | Should -Be 32
        }

        It 'costs little CPU while waiting on a sparse timeline' {
            $script:held.Session.IdleSeconds | Should -BeGreaterOrEqual 1
            ($script:held.Session.IdleCpuSeconds / $script:held.Session.IdleSeconds) | Should -BeLessThan 0.05
        }
    }
}
