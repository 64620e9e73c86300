#Requires -Version 7.4
# Start-TcpCopy -MetricsEndpoint in a four-host lab: a short live copy runs with the endpoint on the
# online host; the endpoint is scraped from inside the online namespace while the copy runs and after the traffic,
# its text is checked by prometheus_client's parser (tests/Lab/prometheus_scrape.py), and its figures are compared
# with the session's own. Needs root and the lab programs (skipped with the reason otherwise) and the built module.

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/LiveCopyLab.psm1" -Force
    $script:ModulePath = Get-LabModulePath
    $script:SkipReason = Get-LabSkipReason -Also @(if (-not (Test-Path /usr/lib/python3/dist-packages/prometheus_client)) {
            [pscustomobject]@{ Name = 'prometheus_client'; Detail = 'apt-get install python3-prometheus-client (build/install-deps.sh)' } })
    $script:Endpoint = 'http://198.18.0.20:9464/'
    $script:ScrapeUrl = 'http://198.18.0.20:9464/metrics'
    $script:SessionName = 'metrics-copy'

    # Scrapes from inside the online host's namespace; returns the parsed samples, or the error with its exit code.
    function Get-Scrape([string] $HostName = 'online') {
        # Debian's python, where python3-prometheus-client lives (a python3 earlier on PATH may lack it).
        $run = Invoke-LabCommand $script:lab -HostName $HostName -IgnoreExitCode -PassThru -TimeoutSeconds 20 -Command (
            "/usr/bin/python3 '$PSScriptRoot/../Lab/prometheus_scrape.py' '$($script:ScrapeUrl)'")
        $parsed = $run.StandardOutput | ConvertFrom-Json
        $parsed | Add-Member ExitCode $run.ExitCode -PassThru
    }

    # The value of one series of this session (the labels given must all match; exactly one series).
    function Get-Sample($Scrape, [string] $Name, [hashtable] $Labels = @{}) {
        $found = @($Scrape.samples | Where-Object {
                $sample = $_
                $_.name -eq $Name -and $_.labels.tcpreplay_session -eq $script:SessionName -and
                -not @($Labels.Keys | Where-Object { $sample.labels.$_ -ne $Labels[$_] })
            })
        if ($found.Count -ne 1) { throw "$Name $($Labels | ConvertTo-Json -Compress): $($found.Count) series" }
        [double]$found[0].value
    }

    function ConvertTo-SnakeCase([string] $Name) { ($Name -creplace '(?<!^)([A-Z])', '_$1').ToLowerInvariant() }
}

Describe 'Start-TcpCopy -MetricsEndpoint in a four-host lab' -Tag 'Lab', 'Metrics' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        $script:lab = $null
        if ($script:SkipReason) { return }
        $script:lab = New-ReplayLab -Hosts client, online, target, assistant
        $script:onlineNginx = Start-LabNginx $script:lab -HostName online -Port 8080
        $script:targetNginx = Start-LabNginx $script:lab -HostName target -Port 8080
        $null = Invoke-LabPwsh $script:lab -HostName target -Command "Import-Module '$($script:ModulePath)'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"
        # A role's pwsh takes its time to start on a busy machine: the waits allow for it.
        $script:intercept = Start-LabRole $script:lab -Role Intercept -HostName assistant -ModulePath $script:ModulePath -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 240 }
        Wait-LabRole $script:intercept -TimeoutSeconds 120
        $script:copy = Start-LabRole $script:lab -Role Copy -HostName online -ModulePath $script:ModulePath -Name $script:SessionName -Parameters @{
            Transfer = '8080-198.18.0.30:8080'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.0.0/24'
            Interface = 'eth0'; MetricsEndpoint = $script:Endpoint; DeadlineSeconds = 240
        }
        Wait-LabRole $script:copy -TimeoutSeconds 120
        $null = Wait-LabCopyCondition $script:copy { param($s) $s.InterceptConnected } -TimeoutSeconds 20 -What 'the intercept link'
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    It 'serves every copy and capture instrument in valid Prometheus text format while the copy runs' {
        $scrape = Get-Scrape

        $scrape.ExitCode | Should -Be 0 -Because "$($scrape.error)"
        $scrape.content_type | Should -BeLike 'text/plain*'
        $names = @($scrape.samples | Where-Object { $_.labels.tcpreplay_session -eq $script:SessionName } | ForEach-Object name | Sort-Object -Unique)
        foreach ($expected in 'tcpreplay_copy_client_packets_total', 'tcpreplay_copy_client_bytes_total', 'tcpreplay_copy_sent_client_packets_total',
            'tcpreplay_copy_opened_connections_total', 'tcpreplay_copy_connections_total', 'tcpreplay_copy_active_connections',
            'tcpreplay_copy_target_packets_total', 'tcpreplay_copy_handshake_failures_total', 'tcpreplay_copy_intercept_connected_links',
            'tcpreplay_capture_received_total', 'tcpreplay_capture_dropped_total') {
            $names | Should -Contain $expected
        }
        Get-Sample $scrape 'tcpreplay_copy_intercept_connected_links' @{ tcpreplay_intercept_server = '198.18.0.40:36524' } | Should -BeGreaterThan 0
        @($scrape.samples | Where-Object name -EQ 'tcpreplay_copy_connections_total' | ForEach-Object { $_.labels.tcpreplay_close_reason }) |
            Should -Contain 'copier_reset'
    }

    It 'a second endpoint on the same address and port fails with MetricsEndpointInUse and the fix' {
        $second = Start-LabRole $script:lab -Role Copy -HostName online -ModulePath $script:ModulePath -Name 'metrics-second' -Parameters @{
            Transfer = '8081-198.18.0.30:8080'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.1.0/24'
            Interface = 'eth0'; MetricsEndpoint = $script:Endpoint; DeadlineSeconds = 30
        }
        try {
            $failure = Get-LabRoleError $second -TimeoutSeconds 120

            $failure.ErrorId | Should -Be 'MetricsEndpointInUse,TcpReplay.PowerShell.Cmdlets.StartTcpCopyCommand'
            $failure.RecommendedAction | Should -Match 'another port'
        }
        finally {
            Stop-LabProcess $script:lab -Id $second.Process.Id
        }
    }

    It 'after a short run the figures equal the session''s: client packets, connections by close reason, responses' {
        $traffic = Invoke-LabHttpTraffic $script:lab -Connections 40 -RequestsMax 5 -Seed 7 -Concurrency 10 -DeadlineSeconds 60
        $traffic.responses_ok | Should -BeGreaterThan 0
        $null = Wait-LabCopyCondition $script:copy {
            param($s) $s.Connections -gt 0 -and $s.Connections -eq ($s.Completed + $s.Failed)
        } -TimeoutSeconds 30 -What 'every copied connection to end'

        # The figures settle once the last close is through; a status written before and after the scrape that agree
        # show nothing moved in between.
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        do {
            Start-Sleep -Milliseconds 500
            $before = Get-LabCopyStatus $script:copy
            $scrape = Get-Scrape
            Start-Sleep -Milliseconds 300
            $after = Get-LabCopyStatus $script:copy
            $stable = ($before | ConvertTo-Json -Depth 4 -Compress) -eq ($after | ConvertTo-Json -Depth 4 -Compress) -and $scrape.ExitCode -eq 0
        } until ($stable -or $clock.Elapsed.TotalSeconds -gt 20)
        $stable | Should -BeTrue -Because 'the copy''s figures stop moving once the traffic has ended'

        Get-Sample $scrape 'tcpreplay_copy_client_packets_total' | Should -Be $after.ClientPackets
        Get-Sample $scrape 'tcpreplay_copy_sent_client_packets_total' | Should -Be $after.SentPackets
        Get-Sample $scrape 'tcpreplay_copy_opened_connections_total' | Should -Be $after.Connections
        Get-Sample $scrape 'tcpreplay_copy_target_packets_total' | Should -Be $after.Responses
        Get-Sample $scrape 'tcpreplay_copy_retransmissions_total' | Should -Be $after.Retransmissions
        Get-Sample $scrape 'tcpreplay_copy_active_connections' | Should -Be 0
        $byReason = @($scrape.samples | Where-Object { $_.name -eq 'tcpreplay_copy_connections_total' -and $_.labels.tcpreplay_session -eq $script:SessionName })
        ($byReason | Measure-Object value -Sum).Sum | Should -Be ($after.Completed + $after.Failed)
        foreach ($reason in $after.CloseReasons.PSObject.Properties) {
            Get-Sample $scrape 'tcpreplay_copy_connections_total' @{ tcpreplay_close_reason = (ConvertTo-SnakeCase $reason.Name) } | Should -Be $reason.Value
        }
        Get-Sample $scrape 'tcpreplay_capture_received_total' @{ tcpreplay_role = 'copy'; tcpreplay_capture_layer = (ConvertTo-SnakeCase $after.CaptureLayer) } |
            Should -BeGreaterOrEqual $after.ClientPackets
    }

    It 'Stop-TcpCopy closes the endpoint and frees its port within 2 s' {
        $result = Stop-LabRole $script:lab $script:copy

        $result.StopMilliseconds | Should -BeLessThan 2000
        $scrape = Get-Scrape
        $scrape.ExitCode | Should -Be 2 -Because "the endpoint is closed ($($scrape.error))"
        $scrape.error | Should -Match 'refused'
    }
}
