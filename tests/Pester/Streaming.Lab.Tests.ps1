#Requires -Version 7.4
# Issue 16: streaming (WebSocket speech recognition) sessions copied live and replayed offline, with the service as
# strict as the real one (examples/StreamingService):
# - the client streams 20 binary frames 100 ms apart, then "end"; once it has the final result it closes the
#   WebSocket itself (a Close frame, then FIN), as Python's websockets client does;
# - partial results are not idempotent, in two variants: timed (random moments 50-400 ms apart) and sparse (one
#   after a random 5-25 frames, so a session may get none);
# - the final comes 0.6-1.2 s after "end" online, 0.6-2.0 s on the target (random per session);
# - a Close frame that reaches the server before its final aborts the recognition.
# With default options the target must log 50 finals and 0 aborts in both variants, live and offline; the offline
# replay must send no Close frame or FIN earlier after the session's start than the capture has it; the copied
# audio frames must reach the target within 50 ms of their capture-timeline time (p99, tcpdump on the target).
# A run with -Pacing Timeline (the default before issue 16) shows the failure the default avoids.
# Needs root, the built module and out/StreamingService (make module).

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
    $script:Variants = @(
        @{ Variant = 'timed'; Port = 8080; LiveNet = '198.19.0'; ReplayNet = '198.19.1' }
        @{ Variant = 'sparse'; Port = 8081; LiveNet = '198.19.2'; ReplayNet = '198.19.3' }
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/LiveCopyLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/StreamingLab.psm1" -Force
    $script:ModulePath = Get-LabModulePath
    $script:SkipReason = Get-LabSkipReason -Also @(if (-not (Get-LabStreamingServicePath)) { 'out/StreamingService (make module)' })
    $script:Sessions = 50
    # 20 frames 100 ms apart per session, then "end"; the Close right after the final. Sessions start 10 ms apart.
    $script:Client = @{ Sessions = $script:Sessions; FramesPerSecond = 10; DurationSeconds = 2; StaggerMs = 10; EndMode = 'close-after-final'
        FinalTimeoutSeconds = 10; DeadlineSeconds = 40 }
    # How long the test waits for the target's sessions after the client's run: a stalled copy's finals come late.
    $script:WaitSeconds = 25

    function Get-TargetOutcome($Service, [string] $Net, [int] $Before, [double] $TimeoutSeconds) {
        @(Wait-LabStreamingOutcome $Service -Count ($Before + $script:Sessions) -FromNetworkPrefix "$Net." -TimeoutSeconds $TimeoutSeconds |
                Select-Object -Skip $Before)
    }

    function Write-Outcome([string] $What, $Run) {
        $holds = $Run.Holds
        Write-Host (("{0}: target {1} finals of {2} logged, {3} aborts {4}; audio frames late p50 {5:F1} ms, p99 {6:F1} ms, max {7:F1} ms ({8} matched, {9} unmatched); " +
                "Close frames vs original min {10:F1} ms ({11} early), FINs min {12:F1} ms ({13} early); answer holds {14} (longest {15:F0} ms, mean {16:F0} ms, bound fired {17}); " +
                "closes held {18}; close reasons {19}") -f $What, $Run.Finals, $Run.Outcomes.Count, $Run.Aborts,
            (($Run.Outcomes | Where-Object outcome -NE 'final' | Select-Object -First 2 | ForEach-Object reason) -join ' | '),
            $Run.Timing.audio_frames.p50_ms, $Run.Timing.audio_frames.p99_ms, $Run.Timing.audio_frames.max_ms, $Run.Timing.audio_frames.count,
            $Run.Timing.audio_frames_unmatched, $Run.Timing.close_frames.min_ms, $Run.Timing.close_frames_early, $Run.Timing.fins.min_ms, $Run.Timing.fins_early,
            $holds.AnswerHolds, $holds.AnswerHeldMaxMs, $holds.AnswerHeldAverageMs, $holds.AnswerWaitTimeouts, $holds.ClosesHeld, ($holds.CloseReasons | ConvertTo-Json -Compress))
    }

    # One live run: the copy role (default options unless Pacing is given) on the online host, tcpdump of the client's
    # side on the online host and of the copy on the target, the client's 50 sessions against the online service.
    function Invoke-StreamingCopyRun([string] $Name, [int] $Port, [string] $Net, [string] $Pacing) {
        $targetService = $script:TargetServices[$Port]
        $before = @(Get-LabStreamingOutcome $targetService.SessionLogPath -FromNetworkPrefix "$Net.").Count
        $parameters = @{ Transfer = "$Port-198.18.0.30:$Port"; InterceptServer = '198.18.0.40'; FakeClientAddress = "$Net.0/24"; Interface = 'eth0'; DeadlineSeconds = 100 }
        if ($Pacing) { $parameters.Pacing = $Pacing }
        $copy = Start-LabRole $script:lab -Role Copy -HostName online -ModulePath $script:ModulePath -Wait -Name "copy-$Name" -Parameters $parameters
        $onlineCapture = $targetCapture = $null
        try {
            $null = Wait-LabCopyCondition $copy { param($s) $s.InterceptConnected } -What 'the intercept link'
            # Auto capture decides on its first 20 client packets and then switches layers; a session that starts during
            # the switch can be copied from mid-stream, without its upgrade request (a known capture race, not pacing).
            # A few HTTP requests first let it decide before the sessions this test measures.
            $null = Invoke-LabCommand $script:lab -HostName client -Command "for i in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null --max-time 2 http://198.18.0.20:$Port/warm-up; done"
            $clock = [Diagnostics.Stopwatch]::StartNew()
            while ($clock.Elapsed.TotalSeconds -lt 5 -and "$((Get-LabCopyStatus $copy).CaptureDescription)" -match 'probing') { Start-Sleep -Milliseconds 200 }
            Start-Sleep -Seconds 1
            $onlineCapture = Start-LabCapture $script:lab -HostName online -Path (Join-Path $script:lab.TempDirectory "$Name-online.pcap") -Filter "tcp port $Port and host 198.18.0.10"
            $targetCapture = Start-LabCapture $script:lab -HostName target -Path (Join-Path $script:lab.TempDirectory "$Name-target.pcap") -Filter "tcp dst port $Port and src net $Net.0/24"
            $client = Invoke-LabStreamingClient $script:lab -Url $script:OnlineServices[$Port].StreamUrl @script:Client
            $outcomes = Get-TargetOutcome $targetService $Net $before $script:WaitSeconds
            $null = Wait-LabCopyCondition $copy { param($s) $s.OpenConnections -eq 0 } -TimeoutSeconds 15 -What 'every copied connection to close'
        }
        finally {
            if ($onlineCapture) { $null = Stop-LabCapture $script:lab $onlineCapture }
            if ($targetCapture) { $null = Stop-LabCapture $script:lab $targetCapture }
            $result = Stop-LabRole $script:lab $copy
        }
        $run = [pscustomobject]@{
            Client        = $client
            Outcomes      = $outcomes
            Finals        = @($outcomes | Where-Object final).Count
            Aborts        = @($outcomes | Where-Object outcome -NE 'final').Count
            Timing        = Measure-LabStreamingTiming $onlineCapture.Path $targetCapture.Path -Port $Port
            Holds         = $result.Session
            Result        = $result
            OnlineCapture = $onlineCapture.Path
        }
        # TCPREPLAY_KEEP_RUNS=<folder> keeps each run's captures and copy result for a look after the lab is gone.
        if ($env:TCPREPLAY_KEEP_RUNS) {
            Copy-Item $onlineCapture.Path, $targetCapture.Path -Destination $env:TCPREPLAY_KEEP_RUNS
            $result | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $env:TCPREPLAY_KEEP_RUNS "$Name-live-result.json")
        }
        Write-Outcome "live $Name (client: $($client.finals) finals of $($client.sessions), closed by client $($client.closedByClient))" $run
        $run
    }

    # The offline replay of a live run's online capture, with default options, to another fake network.
    function Invoke-StreamingReplay([string] $Name, [string] $Capture, [int] $Port, [string] $Net) {
        $targetService = $script:TargetServices[$Port]
        $before = @(Get-LabStreamingOutcome $targetService.SessionLogPath -FromNetworkPrefix "$Net.").Count
        $targetCapture = Start-LabCapture $script:lab -HostName target -Path (Join-Path $script:lab.TempDirectory "$Name-replay-target.pcap") -Filter "tcp dst port $Port and src net $Net.0/24"
        try {
            $output = Invoke-LabPwsh $script:lab -HostName online -TimeoutSeconds 90 -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module '$($script:ModulePath)'
`$s = Start-TcpCopy -Path '$Capture' -Transfer '$Port-198.18.0.30:$Port' -InterceptServer 198.18.0.40 -FakeClientAddress $Net.0/24
`$null = `$s | Wait-TcpCopy -TimeoutSeconds 60
`$state = "`$(`$s.JobStateInfo.State)"
if (`$state -eq 'Running') { Stop-TcpCopy `$s }
[pscustomobject]@{ State = `$state; Connections = `$s.Connections; Completed = `$s.Completed; Failed = `$s.Failed; ClosesHeld = `$s.ClosesHeld
    AnswerHolds = `$s.AnswerHolds; AnswerHeldMaxMs = `$s.AnswerHeldMax.TotalMilliseconds; AnswerHeldAverageMs = `$s.AnswerHeldAverage.TotalMilliseconds
    AnswerWaitTimeouts = `$s.AnswerWaitTimeouts; CloseReasons = `$s.CloseReasons; Duration = `$s.Duration.TotalSeconds } | ConvertTo-Json -Compress -Depth 4
"@
            $replay = @($output | Where-Object { $_ -like '{*' })[-1] | ConvertFrom-Json
            $outcomes = Get-TargetOutcome $targetService $Net $before 10
        }
        finally {
            $null = Stop-LabCapture $script:lab $targetCapture
        }
        $run = [pscustomobject]@{
            Replay   = $replay
            Outcomes = $outcomes
            Finals   = @($outcomes | Where-Object final).Count
            Aborts   = @($outcomes | Where-Object outcome -NE 'final').Count
            Timing   = Measure-LabStreamingTiming $Capture $targetCapture.Path -Port $Port
            Holds    = $replay
        }
        if ($env:TCPREPLAY_KEEP_RUNS) { Copy-Item $targetCapture.Path -Destination $env:TCPREPLAY_KEEP_RUNS }
        Write-Outcome "offline $Name (state $($replay.State), $($replay.Connections) connections, $([math]::Round($replay.Duration, 1)) s)" $run
        $run
    }
}

Describe 'Streaming (WebSocket) sessions copied to a slower, strict target' -Tag 'Lab', 'LiveCopy', 'Streaming' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        $script:lab = $null
        if ($script:SkipReason) { return }
        $script:lab = New-ReplayLab -Hosts client, online, target, assistant
        $script:OnlineServices = @{}
        $script:TargetServices = @{}
        foreach ($v in @(@{ Port = 8080; Partials = 'timed' }, @{ Port = 8081; Partials = 'frames' })) {
            $script:OnlineServices[$v.Port] = Start-LabStreamingService $script:lab -HostName online -Port $v.Port -Partials $v.Partials -FinalDelayMs 600 -FinalDelayMaxMs 1200 -Closer client
            $script:TargetServices[$v.Port] = Start-LabStreamingService $script:lab -HostName target -Port $v.Port -Partials $v.Partials -FinalDelayMs 600 -FinalDelayMaxMs 2000 -Closer client
        }
        $null = Invoke-LabPwsh $script:lab -HostName target -Command "Import-Module '$($script:ModulePath)'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"
        $script:intercept = Start-LabRole $script:lab -Role Intercept -HostName assistant -ModulePath $script:ModulePath -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 400 }
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    Context '<Variant> partials, default options' -ForEach $script:Variants {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:live = Invoke-StreamingCopyRun -Name $Variant -Port $Port -Net $LiveNet
            $script:replay = Invoke-StreamingReplay -Name $Variant -Capture $script:live.OnlineCapture -Port $Port -Net $ReplayNet
        }

        It 'streams 50 sessions to the online service, each with its final result and the client''s own close' {
            $script:live.Client.finals | Should -Be 50
            $script:live.Client.closedByClient | Should -Be 50
        }

        It 'live: the target logs 50 final results and 0 aborts' {
            $script:live.Outcomes.Count | Should -Be 50
            $script:live.Aborts | Should -Be 0 -Because (($script:live.Outcomes | Where-Object outcome -NE 'final' | Select-Object -First 3 | ForEach-Object reason) -join ' | ')
            $script:live.Finals | Should -Be 50
        }

        It 'live: the audio frames reach the target within 50 ms of their timeline time (p99), every one of them' {
            $script:live.Timing.audio_frames.count | Should -Be 1000
            $script:live.Timing.audio_frames_unmatched | Should -Be 0
            $script:live.Timing.audio_frames.p99_ms | Should -BeLessOrEqual 50
        }

        It 'live: the session and each connection say how often and how long client data waited for an answer, and how often the bound fired' {
            $holds = $script:live.Holds
            $holds.AnswerHolds | Should -BeGreaterThan 0 -Because 'the target''s final comes later than the online one, so Close frames wait'
            $holds.AnswerHeldMaxMs | Should -BeGreaterOrEqual $holds.AnswerHeldAverageMs
            $holds.AnswerWaitTimeouts | Should -Be 0 -Because 'the target answers every session within the bound'
            $connections = @($script:live.Result.Connections)
            ($connections | Measure-Object AnswerHolds -Sum).Sum | Should -Be $holds.AnswerHolds
            @($connections | Where-Object { -not $_.IsNormalClose }).Count | Should -Be 0
        }

        It 'offline: replays the 50 captured sessions by itself, and the target logs 50 final results and 0 aborts' {
            $script:replay.Replay.State | Should -Be 'Completed'
            $script:replay.Replay.Connections | Should -Be 50
            $script:replay.Outcomes.Count | Should -Be 50
            $script:replay.Aborts | Should -Be 0 -Because (($script:replay.Outcomes | Where-Object outcome -NE 'final' | Select-Object -First 3 | ForEach-Object reason) -join ' | ')
            $script:replay.Finals | Should -Be 50
        }

        It 'offline: sends no Close frame and no FIN earlier after the session''s start than the capture has it' {
            $script:replay.Timing.close_frames.count | Should -Be 50
            $script:replay.Timing.close_frames_early | Should -Be 0 -Because ($script:replay.Timing.close_frames_early_examples | ConvertTo-Json -Compress)
            $script:replay.Timing.fins.count | Should -Be 50
            $script:replay.Timing.fins_early | Should -Be 0 -Because ($script:replay.Timing.fins_early_examples | ConvertTo-Json -Compress)
        }

        It 'offline: the audio frames reach the target within 50 ms of their timeline time (p99)' {
            $script:replay.Timing.audio_frames.count | Should -Be 1000
            $script:replay.Timing.audio_frames.p99_ms | Should -BeLessOrEqual 50
        }
    }

    Context 'Timeline pacing (no answer holds), timed partials: the failure the default avoids' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:timeline = Invoke-StreamingCopyRun -Name 'timeline' -Port 8080 -Net '198.19.4' -Pacing Timeline
        }

        It 'lets Close frames overtake the slower target''s finals: the strict target aborts sessions' {
            $script:timeline.Client.finals | Should -Be 50
            $script:timeline.Aborts | Should -BeGreaterThan 0
            $script:timeline.Outcomes | Where-Object outcome -NE 'final' | ForEach-Object { $_.reason | Should -Match 'Close frame came' }
        }
    }
}
