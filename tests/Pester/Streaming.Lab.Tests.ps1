#Requires -Version 7.4
# Issue 5, "Must show": live copy of 50 concurrent WebSocket streaming sessions (examples/StreamingService) from the
# online host to the target. The service answers with partial results at random moments, so the target never answers
# as the online server did, and with a final result 300 ms after the client's "end".
# - Timeline pacing sends the client's frames as they come and holds only the close until the target has answered:
#   the target logs 50 finals and 0 aborts, and the session says how long closes were held.
# - WaitResponse waits for the target's answer before each client "request" (a segment that acknowledges new online
#   data, i.e. every frame after an online partial); the target's partials come at other moments, so the copy
#   stalls for the wait timeout again and again: fewer finals within the same time.
# - Offline replay (Start-TcpCopy -Path, Timeline) of the client side of the Timeline run, captured with tcpdump on
#   the online host: the target logs 50 finals, and every close reaches the target no earlier after its connection's
#   first packet than in the capture.
# Needs root, the built module and out/StreamingService (make module).

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/LiveCopyLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/StreamingLab.psm1" -Force
    $script:ModulePath = (Resolve-Path $(if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" })).Path
    $missing = @(Test-LabPrerequisite)
    $script:SkipReason = if ($missing) { "lab prerequisites missing: $(($missing | ForEach-Object { "$($_.Name) ($($_.Detail))" }) -join '; ')" }
    elseif (-not (Get-LabStreamingServicePath)) { 'out/StreamingService is not built (make module)' }
    else { $null }
    $script:Sessions = 50
    # What each run streams: 3 s of 20 ms frames per session, the 50 sessions started 10 ms apart.
    $script:Client = @{ Sessions = $script:Sessions; FramesPerSecond = 50; DurationSeconds = 3; StaggerMs = 10; FinalTimeoutSeconds = 10; DeadlineSeconds = 40 }
    # Finals count when the target sent them within this time after the online server's last session ended (both
    # logs' timestamps, one clock): the time a copy that keeps pace needs (the target's final is due 1.7 s after the
    # online one, the held close follows), with a margin for the loaded 2-core machine.
    $script:WindowSeconds = 5
    # How long the test waits for the target's 50 sessions after the client's run: a stalled copy's last finals come
    # late, and are reported, not required.
    $script:WaitSeconds = 25

    # Per client connection in a capture (packets to port 8080 only): its first packet (the SYN) and its close (the
    # client's first FIN or RST), as capture times in seconds; keyed by the client port, which the copier keeps.
    function Get-ClientCloseTiming([string] $Path) {
        $lines = & tshark -r $Path -Y 'tcp.dstport == 8080' -T fields -E separator=, -e frame.time_epoch -e tcp.srcport -e tcp.flags.syn -e tcp.flags.fin -e tcp.flags.reset 2>$null
        $table = @{}
        foreach ($line in $lines) {
            $f = $line -split ','
            $time = [double]::Parse($f[0], [cultureinfo]::InvariantCulture)
            $port = [int]$f[1]
            if (-not $table.ContainsKey($port)) { $table[$port] = [pscustomobject]@{ Port = $port; First = $time; Close = $null } }
            $isClose = ($f[3] -in '1', 'True') -or ($f[4] -in '1', 'True')
            if ($isClose -and $null -eq $table[$port].Close) { $table[$port].Close = $time }
        }
        $table
    }

    function ConvertTo-UtcTime($text) { [datetimeoffset]::Parse($text, [cultureinfo]::InvariantCulture).UtcDateTime }

    # One copied run: the copy role with the given pacing, the client's 50 sessions against the online host, then the
    # target's session log (copied sessions only), the copy's result and the online client's summary.
    function Invoke-StreamingCopyRun([string] $Pacing, [string] $CapturePath) {
        $targetBefore = @(Get-LabStreamingOutcome $script:targetService.SessionLogPath -FromNetworkPrefix '198.19.').Count
        $onlineBefore = @(Get-LabStreamingOutcome $script:onlineService.SessionLogPath).Count
        $copy = Start-LabRole $script:lab -Role Copy -HostName online -ModulePath $script:ModulePath -Wait -Name "copy-$Pacing" -Parameters @{
            Transfer = '8080-198.18.0.30:8080'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.0.0/24'
            Pacing = $Pacing; DrainTimeoutSeconds = 3; Interface = 'eth0'; DeadlineSeconds = 100
        }
        $capture = $null
        try {
            $null = Wait-LabCopyCondition $copy { param($s) $s.InterceptConnected } -What 'the intercept link'
            # The client's side only: the copier's own packets to the target leave through the same interface.
            if ($CapturePath) { $capture = Start-LabCapture $script:lab -HostName online -Path $CapturePath -Filter 'tcp port 8080 and host 198.18.0.10' }
            $client = Invoke-LabStreamingClient $script:lab -Url $script:onlineService.StreamUrl @script:Client
            $online = @(Get-LabStreamingOutcome $script:onlineService.SessionLogPath | Select-Object -Skip $onlineBefore)
            $outcomes = @(Wait-LabStreamingOutcome $script:targetService -Count ($targetBefore + $script:Sessions) -FromNetworkPrefix '198.19.' -TimeoutSeconds $script:WaitSeconds |
                    Select-Object -Skip $targetBefore)
        }
        finally {
            if ($capture) { $captured = Stop-LabCapture $script:lab $capture }
            $result = Stop-LabRole $script:lab $copy
        }
        $onlineEnd = ($online | ForEach-Object { ConvertTo-UtcTime $_.end } | Measure-Object -Maximum).Maximum
        $deadline = $onlineEnd.AddSeconds($script:WindowSeconds)
        $inTime = @($outcomes | Where-Object { $_.final -and (ConvertTo-UtcTime $_.end) -le $deadline })
        $lastEnd = ($outcomes | ForEach-Object { ConvertTo-UtcTime $_.end } | Measure-Object -Maximum).Maximum
        $durations = @($outcomes | ForEach-Object durationMs | Sort-Object)
        $onlineDurations = @($online | ForEach-Object durationMs | Sort-Object)
        $run = [pscustomobject]@{
            Pacing          = $Pacing
            Client          = $client
            Online          = $online
            Outcomes        = $outcomes
            Logged          = $outcomes.Count
            Finals          = $inTime.Count
            AllFinals       = @($outcomes | Where-Object final).Count
            Aborts          = @($outcomes | Where-Object outcome -NE 'final').Count
            LastEndSeconds  = if ($lastEnd) { [math]::Round(($lastEnd - $onlineEnd).TotalSeconds, 1) } else { $null }
            MedianSessionMs = if ($durations) { [math]::Round($durations[[int]($durations.Count / 2)]) } else { $null }
            MaxSessionMs    = if ($durations) { [math]::Round($durations[-1]) } else { $null }
            OnlineMedianMs  = if ($onlineDurations) { [math]::Round($onlineDurations[[int]($onlineDurations.Count / 2)]) } else { $null }
            Result          = $result
            Capture         = if ($CapturePath) { $captured } else { $null }
        }
        Write-Host (("{0}: online {1} finals of {2} (session median {3} ms); target: {4} finals within {5} s of the online server's last session, " +
                "{6} of {7} logged in all (last {8} s after the online one), {9} aborted or early-closed; target session median {10} ms, max {11} ms; " +
                "response-wait timeouts {12}; closes held {13}, longest {14:F0} ms, mean {15:F0} ms; copier close reasons {16}") -f
            $Pacing, $client.finals, $client.sessions, $run.OnlineMedianMs, $run.Finals, $script:WindowSeconds, $run.AllFinals, $run.Logged, $run.LastEndSeconds,
            $run.Aborts, $run.MedianSessionMs, $run.MaxSessionMs, $result.Statistics.ResponseWaitTimeouts, $result.Session.ClosesHeld,
            $result.Session.CloseHeldMaxMs, $result.Session.CloseHeldAverageMs, ($result.Session.CloseReasons | ConvertTo-Json -Compress))
        # TCPREPLAY_KEEP_RUNS=<folder> keeps each run (outcomes, copy result) for a look after the lab is gone.
        if ($env:TCPREPLAY_KEEP_RUNS) { $run | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $env:TCPREPLAY_KEEP_RUNS "streaming-run-$Pacing.json") }
        $run
    }
}

Describe 'Live copy of streaming (WebSocket) sessions' -Tag 'Lab', 'LiveCopy', 'Streaming' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        $script:lab = $null
        if ($script:SkipReason) { return }
        $script:lab = New-ReplayLab -Hosts client, online, target, assistant
        $script:onlineService = Start-LabStreamingService $script:lab -HostName online -Port 8080 -FinalDelayMs 300
        # The target is a slower build: its final comes 1.7 s after the online one, so every close must wait for it (the
        # margin covers an online server slowed down by the load of a shared 2-core machine).
        $script:targetService = Start-LabStreamingService $script:lab -HostName target -Port 8080 -FinalDelayMs 2000
        $null = Invoke-LabPwsh $script:lab -HostName target -Command "Import-Module '$($script:ModulePath)'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"
        $script:intercept = Start-LabRole $script:lab -Role Intercept -HostName assistant -ModulePath $script:ModulePath -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 200 }
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    Context 'Timeline pacing' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:timeline = Invoke-StreamingCopyRun -Pacing Timeline -CapturePath (Join-Path $script:lab.TempDirectory 'streaming-online.pcap')
        }

        It 'streams 50 sessions to the online host, each with its final result' {
            $script:timeline.Client.sessions | Should -Be 50
            $script:timeline.Client.finals | Should -Be 50
        }

        It 'makes the target log 50 final results and 0 aborts' {
            $script:timeline.Logged | Should -Be 50 -Because "the target logged $($script:timeline.Logged) copied sessions"
            $script:timeline.Finals | Should -Be 50 -Because "finals count when sent within $($script:WindowSeconds) s of the online server's last session"
            $script:timeline.Aborts | Should -Be 0 -Because ($script:timeline.Outcomes | Where-Object outcome -NE 'final' | Select-Object -First 3 | ConvertTo-Json -Compress)
        }

        It 'delivers every frame to the target' {
            $script:timeline.Outcomes | ForEach-Object { $_.frames | Should -Be 150 }
        }

        It 'holds every close until the slower target has sent its final, and says how long, on the session and per connection' {
            $session = $script:timeline.Result.Session
            $session.ClosesHeld | Should -Be 50
            # The target's final is due 1.7 s after the online one; the client's FIN follows the online close at once.
            $session.CloseHeldMaxMs | Should -BeGreaterOrEqual 1000
            $session.CloseHeldMaxMs | Should -BeLessThan 12000 -Because 'a hold is bounded by 4 drain times (3 s) from the client FIN'
            $session.CloseHeldMaxMs | Should -BeGreaterOrEqual $session.CloseHeldAverageMs
            $held = @($script:timeline.Result.Connections | Where-Object CloseHeldMs -GT 0)
            $held.Count | Should -Be $session.ClosesHeld
            $script:timeline.Result.Statistics.ClosesHeld | Should -Be $session.ClosesHeld
        }

        It 'ends every copied connection normally' {
            $connections = @($script:timeline.Result.Connections)
            $connections.Count | Should -Be 50
            @($connections | Where-Object { -not $_.IsNormalClose }).Count | Should -Be 0
        }
    }

    Context 'WaitResponse pacing, the same traffic' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:wait = Invoke-StreamingCopyRun -Pacing WaitResponse
        }

        It 'streams 50 sessions to the online host, each with its final result' {
            $script:wait.Client.finals | Should -Be 50
        }

        It 'stalls: the target logs fewer final results than Timeline within the same time' {
            $script:wait.Finals | Should -BeLessThan 50 -Because "WaitResponse waits for target answers that come at other moments than online's"
            $script:wait.Finals | Should -BeLessThan $script:timeline.Finals
        }

        It 'stretches target sessions by the response wait timeout (3 s) beyond the 3 s of streaming' {
            $script:wait.MaxSessionMs | Should -BeGreaterThan 6000
        }

        It 'shows the stall in its own figures: requests sent after the response wait timed out' {
            $script:wait.Result.Statistics.ResponseWaitTimeouts | Should -BeGreaterThan 0
        }
    }
    Context 'offline replay of the Timeline run''s capture (taken with tcpdump on the online host)' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:originalCapture = $script:timeline.Capture.Path
            $before = @(Get-LabStreamingOutcome $script:targetService.SessionLogPath -FromNetworkPrefix '198.19.1.').Count
            $targetCapture = Start-LabCapture $script:lab -HostName target -Path (Join-Path $script:lab.TempDirectory 'streaming-target-replay.pcap') -Filter 'tcp port 8080 and net 198.19.1.0/24'
            try {
                # Another fake network than the live runs': the target still holds their connections in TIME_WAIT.
                $output = Invoke-LabPwsh $script:lab -HostName online -TimeoutSeconds 90 -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module '$($script:ModulePath)'
`$s = Start-TcpCopy -Path '$($script:originalCapture)' -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.1.0/24 -Pacing Timeline -DrainTimeoutSeconds 3
`$null = `$s | Wait-TcpCopy -TimeoutSeconds 60
`$state = "`$(`$s.JobStateInfo.State)"
if (`$state -eq 'Running') { Stop-TcpCopy `$s }
`$p = `$s.ReplayProgress
[pscustomobject]@{ State = `$state; Connections = `$s.Connections; Completed = `$s.Completed; Failed = `$s.Failed; ClosesHeld = `$s.ClosesHeld
    CloseHeldMaxMs = `$s.CloseHeldMax.TotalMilliseconds; CloseReasons = `$s.CloseReasons; Duration = `$s.Duration.TotalSeconds
    Progress = "`$p"; FileProblems = @(`$s.FileProblems | ForEach-Object { "`$_" }) } | ConvertTo-Json -Compress -Depth 4
"@
                $script:replay = @($output | Where-Object { $_ -like '{*' })[-1] | ConvertFrom-Json
                $script:replayOutcomes = @(Wait-LabStreamingOutcome $script:targetService -Count ($before + $script:Sessions) -FromNetworkPrefix '198.19.1.' -TimeoutSeconds 10 |
                        Select-Object -Skip $before)
            }
            finally {
                $null = Stop-LabCapture $script:lab $targetCapture
            }
            $original = Get-ClientCloseTiming $script:originalCapture
            $replayed = Get-ClientCloseTiming $targetCapture.Path
            $script:closeComparison = @(foreach ($port in $original.Keys) {
                    $o = $original[$port]
                    $r = $replayed[$port]
                    [pscustomobject]@{
                        Port           = $port
                        OriginalMs     = if ($null -ne $o.Close) { [math]::Round(($o.Close - $o.First) * 1000, 3) } else { $null }
                        ReplayedMs     = if ($r -and $null -ne $r.Close) { [math]::Round(($r.Close - $r.First) * 1000, 3) } else { $null }
                    }
                })
            $later = @($script:closeComparison | Where-Object { $null -ne $_.ReplayedMs -and $null -ne $_.OriginalMs } | ForEach-Object { $_.ReplayedMs - $_.OriginalMs } | Sort-Object)
            Write-Host (("Offline replay: state {0}, {1} connections, {2} completed, {3} failed, closes held {4} (longest {5:F0} ms), {6} s; target: {7} finals of {8} logged; " +
                "close after first packet, replayed minus original: min {9} ms, median {10} ms, max {11} ms; progress {12}") -f $script:replay.State, $script:replay.Connections,
                $script:replay.Completed, $script:replay.Failed, $script:replay.ClosesHeld, $script:replay.CloseHeldMaxMs, [math]::Round($script:replay.Duration, 1),
                @($script:replayOutcomes | Where-Object final).Count, $script:replayOutcomes.Count,
                $(if ($later) { $later[0] } else { 'n/a' }), $(if ($later) { $later[[int]($later.Count / 2)] } else { 'n/a' }), $(if ($later) { $later[-1] } else { 'n/a' }), $script:replay.Progress)
        }

        It 'replays the 50 captured connections and completes by itself' {
            $script:replay.Connections | Should -Be 50
            $script:replay.State | Should -Be 'Completed'
            $script:replay.Failed | Should -Be 0 -Because ($script:replay.CloseReasons | ConvertTo-Json -Compress)
        }

        It 'makes the target log 50 final results and 0 aborts' {
            $script:replayOutcomes.Count | Should -Be 50
            @($script:replayOutcomes | Where-Object final).Count | Should -Be 50
            @($script:replayOutcomes | Where-Object outcome -NE 'final').Count | Should -Be 0
        }

        It 'closes every connection on the target no earlier after its first packet than in the original capture' {
            $script:closeComparison.Count | Should -Be 50
            foreach ($c in $script:closeComparison) {
                $c.OriginalMs | Should -Not -BeNullOrEmpty -Because "the capture holds the client's close of port $($c.Port)"
                $c.ReplayedMs | Should -Not -BeNullOrEmpty -Because "the target saw the close of port $($c.Port)"
                # Both captures timestamp in the kernel of the receiving host; 1 ms covers their jitter.
                $c.ReplayedMs | Should -BeGreaterOrEqual ($c.OriginalMs - 1) -Because "port $($c.Port) closed $($c.ReplayedMs) ms after its first packet on the target, $($c.OriginalMs) ms in the capture"
            }
        }
    }
}
