#Requires -Version 7.4
# Issue 5, "Must show": live copy of 50 concurrent WebSocket streaming sessions (examples/StreamingService) from the
# online host to the target. The service answers with partial results at random moments, so the target never answers
# as the online server did, and with a final result 300 ms after the client's "end".
# - Timeline pacing sends the client's frames as they come and holds only the close until the target has answered:
#   the target logs 50 finals and 0 aborts, and the session says how long closes were held.
# - WaitResponse waits for the target's answer before each client "request" (a segment that acknowledges new online
#   data, i.e. every frame after an online partial); the target's partials come at other moments, so the copy
#   stalls for the wait timeout again and again: fewer finals within the same time.
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
    # logs' timestamps, one clock): the time a copy that keeps pace needs (the target's final is due 0.5 s after the
    # online one, the held close follows), with a margin for the loaded 2-core machine.
    $script:WindowSeconds = 5
    # How long the test waits for the target's 50 sessions after the client's run: a stalled copy's last finals come
    # late, and are reported, not required.
    $script:WaitSeconds = 25

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
            if ($CapturePath) { $capture = Start-LabCapture $script:lab -HostName online -Path $CapturePath -Filter 'tcp port 8080' }
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
        # The target is a slower build: its final comes 0.5 s after the online one, so every close must wait for it.
        $script:targetService = Start-LabStreamingService $script:lab -HostName target -Port 8080 -FinalDelayMs 800
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
            # The target's final is due 0.5 s after the online one; the client's FIN follows the online close at once.
            $session.CloseHeldMaxMs | Should -BeGreaterOrEqual 400
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
}
