#Requires -Version 7.4
# The streaming test service itself (examples/StreamingService), in a two-host lab (client, target): what its session
# log says for each way a session can end, and what its HTTP flags do. The live-copy tests rely on these logs.
# Needs root for the lab, and the service built by `make module` (out/StreamingService).

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/StreamingLab.psm1" -Force
    $script:Dll = Get-LabStreamingServicePath
}

Describe 'StreamingService command line' -Tag 'Streaming' {
    It 'refuses an unknown flag with exit code 2 and names it' {
        if (-not $script:Dll) { Set-ItResult -Skipped -Because 'out/StreamingService is not built (make module)'; return }
        $output = & dotnet $script:Dll --port 8080 --delay-msec 20 2>&1
        $LASTEXITCODE | Should -Be 2
        "$output" | Should -Match '--delay-msec'
    }

    It 'refuses a choice it does not know and names the ones it does' {
        if (-not $script:Dll) { Set-ItResult -Skipped -Because 'out/StreamingService is not built (make module)'; return }
        $output = & dotnet $script:Dll --partials clock 2>&1
        $LASTEXITCODE | Should -Be 2
        "$output" | Should -Match '--partials must be one of frames, timed'
    }

    It 'refuses a status path without a number' {
        if (-not $script:Dll) { Set-ItResult -Skipped -Because 'out/StreamingService is not built (make module)'; return }
        $output = & dotnet $script:Dll --status-path /fail 2>&1
        $LASTEXITCODE | Should -Be 2
        "$output" | Should -Match 'PATH=NUMBER'
    }
}

Describe 'StreamingService in a namespace lab' -Tag 'Lab', 'Streaming' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        $script:lab = $null
        $script:SkipReason = if (-not $script:Dll) { 'out/StreamingService is not built (make module)' } else { $null }
        if ($script:SkipReason) { return }
        $script:lab = New-ReplayLab -Hosts client, target
        $script:svc = Start-LabStreamingService $script:lab -HostName target -Port 8080 -FinalDelayMs 300
        $script:http = Start-LabStreamingService $script:lab -HostName target -Port 8081 -DelayMs 100 -StatusPath '/fail=500' -DelayPath '/fast=0' -BodyBytes 1000
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    Context 'WebSocket sessions' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $script:normal = Invoke-LabStreamingClient $script:lab -Url $script:svc.StreamUrl -Sessions 10 -DurationSeconds 1.5 -DeadlineSeconds 30
            $script:normalLog = @(Wait-LabStreamingOutcome $script:svc -Count 10 -TimeoutSeconds 10)
            $script:early = Invoke-LabStreamingClient $script:lab -Url $script:svc.StreamUrl -Sessions 3 -DurationSeconds 0.5 -EndMode close -DeadlineSeconds 30
            $script:earlyLog = @(Wait-LabStreamingOutcome $script:svc -Count 13 -TimeoutSeconds 10 | Select-Object -Skip 10)
            $script:abort = Invoke-LabStreamingClient $script:lab -Url $script:svc.StreamUrl -Sessions 3 -DurationSeconds 0.5 -EndMode abort -DeadlineSeconds 30
            $script:abortLog = @(Wait-LabStreamingOutcome $script:svc -Count 16 -TimeoutSeconds 10 | Select-Object -Skip 13)
        }

        It 'sends a final result to every session that ends with "end", and logs each as final' {
            $script:normal.finals | Should -Be 10
            $script:normal.aborts | Should -Be 0
            $script:normalLog.Count | Should -Be 10
            $script:normalLog | ForEach-Object {
                $_.outcome | Should -Be 'final'
                $_.final | Should -BeTrue
                $_.closeHandshake | Should -BeTrue
                $_.frames | Should -Be 75
                $_.remote | Should -Be '198.18.0.10'
            }
        }

        It 'sends the final result the configured delay after "end"' {
            $script:normalLog | ForEach-Object { $_.endToFinalMs | Should -BeGreaterOrEqual 299 }
        }

        It 'sends partial results at random moments, so sessions with the same frames do not answer alike' {
            $script:normal.partials | Should -BeGreaterThan 10
            @($script:normalLog.partials | Select-Object -Unique).Count | Should -BeGreaterThan 1
        }

        It 'logs a Close frame before "end" as early-close, without a final' {
            $script:earlyLog.Count | Should -Be 3
            $script:earlyLog | ForEach-Object {
                $_.outcome | Should -Be 'early-close'
                $_.final | Should -BeFalse
            }
            $script:early.finals | Should -Be 0
        }

        It 'logs a connection dropped after "end" as abort, without a final' {
            $script:abortLog.Count | Should -Be 3
            $script:abortLog | ForEach-Object {
                $_.outcome | Should -Be 'abort'
                $_.final | Should -BeFalse
                $_.endReceived | Should -BeTrue
                $_.reason | Should -Match 'before the final'
            }
        }
    }

    Context 'a strict recognizer: timed partials, a random final delay, the client closes, an early Close aborts' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $strict = Start-LabStreamingService $script:lab -HostName target -Port 8082 -Partials timed -FinalDelayMs 300 -FinalDelayMaxMs 600 -Closer client
            $tolerant = Start-LabStreamingService $script:lab -HostName target -Port 8083 -EarlyClose tolerate -FinalDelayMs 300
            $script:clientClose = Invoke-LabStreamingClient $script:lab -Url $strict.StreamUrl -Sessions 10 -FramesPerSecond 10 -DurationSeconds 1.5 -EndMode close-after-final -DeadlineSeconds 30
            $script:clientCloseLog = @(Wait-LabStreamingOutcome $strict -Count 10 -TimeoutSeconds 10)
            $script:strictEarly = Invoke-LabStreamingClient $script:lab -Url $strict.StreamUrl -Sessions 3 -FramesPerSecond 10 -DurationSeconds 0.5 -EndMode close-after-end -DeadlineSeconds 30
            $script:strictEarlyLog = @(Wait-LabStreamingOutcome $strict -Count 13 -TimeoutSeconds 10 | Select-Object -Skip 10)
            $script:tolerantEarly = Invoke-LabStreamingClient $script:lab -Url $tolerant.StreamUrl -Sessions 3 -DurationSeconds 0.5 -EndMode close-after-end -DeadlineSeconds 30
            $script:tolerantEarlyLog = @(Wait-LabStreamingOutcome $tolerant -Count 3 -TimeoutSeconds 10)
        }

        It 'closes from the client''s side right after the final when asked to, and the server answers the Close' {
            $script:clientClose.finals | Should -Be 10
            $script:clientClose.closedByClient | Should -Be 10
            $script:clientCloseLog.Count | Should -Be 10
            $script:clientCloseLog | ForEach-Object {
                $_.outcome | Should -Be 'final'
                $_.closeHandshake | Should -BeTrue
                $_.frames | Should -Be 15
                $_.closeFrameAtMs | Should -BeGreaterThan 0
            }
        }

        It 'draws each session''s final delay from the range and keeps to it' {
            $delays = @($script:clientCloseLog | ForEach-Object finalDelayMs)
            $delays | ForEach-Object { $_ | Should -BeGreaterOrEqual 300; $_ | Should -BeLessOrEqual 600 }
            @($delays | Select-Object -Unique).Count | Should -BeGreaterThan 1
            $script:clientCloseLog | ForEach-Object { $_.endToFinalMs | Should -BeGreaterOrEqual ($_.finalDelayMs - 1) }
        }

        It 'sends timed partials while frames arrive, differently in every session' {
            # 1.5 s of streaming with a partial every 50-400 ms: at least 3 each.
            $script:clientCloseLog | ForEach-Object { $_.partials | Should -BeGreaterOrEqual 3 }
            @($script:clientCloseLog.partials | Select-Object -Unique).Count | Should -BeGreaterThan 1
        }

        It 'aborts the recognition when a Close frame arrives after "end" but before the final' {
            $script:strictEarly.finals | Should -Be 0
            $script:strictEarlyLog.Count | Should -Be 3
            $script:strictEarlyLog | ForEach-Object {
                $_.outcome | Should -Be 'abort'
                $_.final | Should -BeFalse
                $_.reason | Should -Match 'Close frame came .* before the final result'
            }
        }

        It 'still sends the final with --early-close tolerate' {
            $script:tolerantEarlyLog.Count | Should -Be 3
            $script:tolerantEarlyLog | ForEach-Object {
                $_.outcome | Should -Be 'final'
                $_.closeBeforeFinal | Should -BeTrue
            }
        }
    }

    Context 'HTTP flags' {
        BeforeAll {
            if ($script:SkipReason) { return }
            $curl = "curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' --max-time 5"
            $lines = Invoke-LabCommand $script:lab -HostName client -Command (
                "$curl $($script:svc.Url)/; $curl $($script:http.Url)/; $curl $($script:http.Url)/fail; $curl $($script:http.Url)/fast; $curl $($script:http.Url)/bytes/70000")
            $script:answers = @($lines | ForEach-Object {
                    $f = $_ -split ' '
                    [pscustomobject]@{ Status = [int]$f[0]; Bytes = [long]$f[1]; Seconds = [double]::Parse($f[2], [cultureinfo]::InvariantCulture) }
                })
            Start-Sleep -Milliseconds 200
            $script:httpLog = @(Get-LabStreamingAccessLog $script:http.AccessLogPath)
            $script:plainLog = @(Get-LabStreamingAccessLog $script:svc.AccessLogPath)
        }

        It 'answers GET / with 200 "ok" without delay by default' {
            $script:answers[0].Status | Should -Be 200
            $script:answers[0].Bytes | Should -Be 3
            $script:plainLog[0].durationMs | Should -BeLessThan 50
        }

        It 'delays every answer by --delay-ms' {
            $script:answers[1].Seconds | Should -BeGreaterOrEqual 0.1
            ($script:httpLog | Where-Object path -EQ '/')[0].durationMs | Should -BeGreaterOrEqual 100
        }

        It 'answers the status of --status-path for that path only' {
            $script:answers[1].Status | Should -Be 200
            $script:answers[2].Status | Should -Be 500
        }

        It 'takes a path-specific delay from --delay-path' {
            ($script:httpLog | Where-Object path -EQ '/fast')[0].durationMs | Should -BeLessThan 50
        }

        It 'answers --body-bytes bytes, and N bytes for /bytes/N' {
            $script:answers[1].Bytes | Should -Be 1000
            $script:answers[4].Bytes | Should -Be 70000
        }

        It 'logs each request with method, path, status and client address' {
            $script:httpLog.Count | Should -Be 4
            $fail = ($script:httpLog | Where-Object path -EQ '/fail')[0]
            $fail.method | Should -Be 'GET'
            $fail.status | Should -Be 500
            $fail.remote | Should -Be '198.18.0.10'
            $fail.connection | Should -Not -BeNullOrEmpty
        }
    }
}
