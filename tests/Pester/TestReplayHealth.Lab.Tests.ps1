#Requires -Version 7.4
# Test-ReplayHealth in a five-host namespace lab: the healthy lab passes every check, and each known
# misconfiguration, injected in its host's namespace and undone afterwards, is reported as Fail with the fix.
# Each run is a pwsh inside the host's namespace, as on separate machines. Needs root, the lab programs and the
# built module.

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/LiveCopyLab.psm1" -Force
    $script:ModulePath = Get-LabModulePath
    $script:SkipReason = Get-LabSkipReason

    $script:Parameters = @{
        Online    = "-Role Online -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Interface eth0"
        Target    = "-Role Target -Transfer '8080-198.18.0.30:8080' -FakeClientAddress 198.19.0.0/24 -Assistant 198.18.0.40 -Interface eth0"
        Assistant = "-Role Assistant -Transfer '8080-198.18.0.30:8080' -Interface eth0"
        All       = "-Role All -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Assistant 198.18.0.40 -Interface eth0"
        Bystander = "-Role Target -Transfer '8080-198.18.0.30:8080' -FakeClientAddress 198.18.0.50/32 -Assistant 198.18.0.40 -Interface eth0"
    }

    # Runs Test-ReplayHealth in a pwsh inside a host's namespace (optionally under a prefix such as setpriv) and
    # returns the results and the cmdlet's own run time (pwsh start-up not counted).
    function Invoke-Health([string] $HostName, [string] $Role, [string] $Extra = '', [string] $Prefix = '') {
        $script = "Import-Module '$($script:ModulePath)'; `$clock = [Diagnostics.Stopwatch]::StartNew(); " +
            "`$results = @(Test-ReplayHealth $($script:Parameters[$Role]) $Extra); `$ms = `$clock.ElapsedMilliseconds; " +
            "`$quiet = Test-ReplayHealth $($script:Parameters[$Role]) $Extra -Quiet; " +
            "[pscustomobject]@{ Milliseconds = `$ms; Quiet = `$quiet; Results = `$results } | ConvertTo-Json -Depth 3 -Compress -EnumsAsStrings"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $pwsh = "'$([Environment]::ProcessPath)' '$(Join-Path $PSHOME 'pwsh.dll')' -NoLogo -NoProfile -NonInteractive -EncodedCommand $encoded"
        $output = Invoke-LabCommand $script:lab -HostName $HostName -TimeoutSeconds 90 -Command "$Prefix $pwsh"
        $json = @($output | Where-Object { $_ -like '{*' } | Select-Object -Last 1)
        if (-not $json) { throw "Test-ReplayHealth printed no result on ${HostName}: $output" }
        $json[0] | ConvertFrom-Json
    }

    function Get-Check($Run, [string] $Name) {
        $check = @($Run.Results | Where-Object Name -eq $Name)
        if ($check.Count -ne 1) { throw "Expected one '$Name' result, got $($check.Count): $($Run.Results | ConvertTo-Json -Compress)" }
        $check[0]
    }
}

Describe 'Test-ReplayHealth in a five-host lab' -Tag 'Lab', 'Health' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        $script:lab = $null
        if ($script:SkipReason) { return }
        $script:lab = New-ReplayLab -Hosts client, online, target, assistant, bystander
        $null = Start-LabNginx $script:lab -HostName online -Port 8080
        $null = Start-LabNginx $script:lab -HostName target -Port 8080
        $null = Invoke-LabCommand $script:lab -HostName target -Command 'ip route replace 198.19.0.0/16 via 198.18.0.40 dev eth0'
        $script:intercept = Start-LabRole $script:lab -Role Intercept -HostName assistant -ModulePath $script:ModulePath -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 600 }
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    Context 'the healthy lab' {
        It 'passes every <_> check within 10 seconds (the clock may only warn)' -ForEach 'Online', 'Target', 'Assistant' {
            $run = Invoke-Health -HostName $_.ToLowerInvariant() -Role $_
            $summary = $run.Results | ForEach-Object { "$($_.Name)=$($_.Status): $($_.Detail)" }
            foreach ($check in $run.Results) {
                $allowed = if ($check.Name -eq 'ClockSync') { 'Pass', 'Warning' } else { 'Pass' }
                $check.Status | Should -BeIn $allowed -Because ($summary -join "`n")
            }
            @($run.Results | Where-Object Role -eq $_).Count | Should -BeGreaterOrEqual 3
            $run.Quiet | Should -BeTrue
            $run.Milliseconds | Should -BeLessThan 10000
        }

        It 'checks every role at once with -Role All on one host, without failing on a role it does not play' {
            $run = Invoke-Health -HostName online -Role All
            @($run.Results.Role | Select-Object -Unique) | Should -Be 'Host', 'Online', 'Target', 'Assistant'
        }
    }

    Context 'faults' {
        It 'fails IpForwarding on an assistant that forwards, with the sysctl that fixes it' {
            $null = Invoke-LabCommand $script:lab -HostName assistant -Command 'sysctl -qw net.ipv4.ip_forward=1'
            try { $run = Invoke-Health -HostName assistant -Role Assistant }
            finally { $null = Invoke-LabCommand $script:lab -HostName assistant -Command 'sysctl -qw net.ipv4.ip_forward=0' }
            $check = Get-Check $run 'IpForwarding'
            $check.Status | Should -Be 'Fail'
            $check.Remedy | Should -Match 'sysctl -w net.ipv4.ip_forward=0'
            $run.Quiet | Should -BeFalse
        }

        It 'fails FakeNetworkRoute on a target without the route via the assistant, naming Set-TargetRoute' {
            $null = Invoke-LabCommand $script:lab -HostName target -Command 'ip route del 198.19.0.0/16'
            try { $run = Invoke-Health -HostName target -Role Target }
            finally { $null = Invoke-LabCommand $script:lab -HostName target -Command 'ip route replace 198.19.0.0/16 via 198.18.0.40 dev eth0' }
            $check = Get-Check $run 'FakeNetworkRoute'
            $check.Status | Should -Be 'Fail'
            $check.Remedy | Should -Match ([regex]::Escape('Set-TargetRoute -FakeClientNetwork 198.19.0.0/24 -Assistant 198.18.0.40'))
        }

        It 'fails FakeAddressUnowned when a bystander on the target segment answers ARP for the fake address' {
            $run = Invoke-Health -HostName target -Role Bystander
            $check = Get-Check $run 'FakeAddressUnowned'
            $check.Status | Should -Be 'Fail'
            $check.Detail | Should -Match '198\.18\.0\.50 at 02:00:c6:12:00:32'
            $check.Remedy | Should -Match ([regex]::Escape('Set-TargetRoute -FakeClientNetwork 198.18.0.50/32 -Assistant 198.18.0.40'))
        }

        It 'fails ReversePathFilter when rp_filter is strict and the fake network''s route leaves by another interface' {
            $before = Invoke-LabCommand $script:lab -HostName target -Command 'cat /proc/sys/net/ipv4/conf/eth0/rp_filter'
            $null = Invoke-LabCommand $script:lab -HostName target -Command (
                'ip link add hr0 type veth peer name hr1 && ip addr add 198.18.3.1/24 dev hr0 && ip link set hr1 up && ip link set hr0 up && ' +
                'ip route replace 198.19.0.0/16 via 198.18.3.2 dev hr0 && sysctl -qw net.ipv4.conf.eth0.rp_filter=1')
            try { $run = Invoke-Health -HostName target -Role Target }
            finally {
                $null = Invoke-LabCommand $script:lab -HostName target -Command (
                    "sysctl -qw net.ipv4.conf.eth0.rp_filter=$before; ip link del hr0; ip route replace 198.19.0.0/16 via 198.18.0.40 dev eth0")
            }
            $check = Get-Check $run 'ReversePathFilter'
            $check.Status | Should -Be 'Fail'
            $check.Detail | Should -Match 'strict \(1\) on eth0.*leaves by hr0'
            $check.Remedy | Should -Match 'rp_filter=2'
        }

        It 'fails TargetPortOpen when the target rejects the port' {
            $rule = 'INPUT -p tcp --dport 8080 -j REJECT --reject-with tcp-reset'
            $null = Invoke-LabCommand $script:lab -HostName target -Command "iptables -I $rule"
            try { $run = Invoke-Health -HostName online -Role Online }
            finally { $null = Invoke-LabCommand $script:lab -HostName target -Command "iptables -D $rule" }
            $check = Get-Check $run 'TargetPortOpen'
            $check.Status | Should -Be 'Fail'
            $check.Detail | Should -Match 'refused'
            $check.Remedy | Should -Match 'port 8080'
        }

        It 'fails InterceptReachable when no intercept runs, naming Start-Intercept' {
            $null = Stop-LabRole $script:lab $script:intercept
            try { $run = Invoke-Health -HostName online -Role Online }
            finally { $script:intercept = Start-LabRole $script:lab -Role Intercept -HostName assistant -ModulePath $script:ModulePath -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 600 } }
            $check = Get-Check $run 'InterceptReachable'
            $check.Status | Should -Be 'Fail'
            $check.Detail | Should -Match '198\.18\.0\.40:36524'
            $check.Remedy | Should -Match 'Start-Intercept'
        }

        It 'fails Privileges without CAP_NET_RAW and CAP_NET_ADMIN, and still reports every other check' {
            $run = Invoke-Health -HostName online -Role Online -Prefix 'setpriv --inh-caps=-net_raw,-net_admin --bounding-set=-net_raw,-net_admin'
            $check = Get-Check $run 'Privileges'
            $check.Status | Should -Be 'Fail'
            $check.Remedy | Should -Match 'setcap cap_net_raw,cap_net_admin'
            (Get-Check $run 'TargetPortOpen').Status | Should -Be 'Pass'
            $run.Quiet | Should -BeFalse
        }

        It 'fails CaptureLayer for a RawSocket copy of a port DNATed to a container, and passes it with Auto' {
            $null = Add-LabContainer $script:lab -Parent online -Name container
            try {
                $raw = Invoke-Health -HostName online -Role Online -Extra '-CaptureMode RawSocket'
                $auto = Invoke-Health -HostName online -Role Online -Extra '-CaptureMode Auto'
            }
            finally {
                $null = Invoke-LabCommand $script:lab -HostName online -Command (
                    'iptables -t nat -D PREROUTING -p tcp -d 198.18.0.20 --dport 8080 -j DNAT --to-destination 198.18.1.2:8080; sysctl -qw net.ipv4.ip_forward=0')
            }
            $check = Get-Check $raw 'CaptureLayer'
            $check.Status | Should -Be 'Fail'
            $check.Detail | Should -Match 'DNAT to 198\.18\.1\.2:8080'
            $check.Remedy | Should -Match 'CaptureMode Pcap'
            (Get-Check $auto 'CaptureLayer').Status | Should -Be 'Pass'
        }
    }

    Context 'a running copy whose connections fail' {
        It 'explains the failures in FailureReasons: bystander resets, counted, with a client and the fix' {
            $copy = Start-LabRole $script:lab -Role Copy -HostName online -ModulePath $script:ModulePath -Wait -Parameters @{
                Transfer = '8080-198.18.0.30:8080'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.18.0.50'
                Interface = 'eth0'; Force = $true; DeadlineSeconds = 120
            }
            try {
                $null = Wait-LabCopyCondition $copy { param($s) $s.InterceptConnected } -What 'the intercept link'
                $null = Invoke-LabHttpTraffic $script:lab -Connections 5 -RequestsMax 1 -Concurrency 5 -Seed 21 -DeadlineSeconds 30
                $status = Wait-LabCopyCondition $copy { param($s) @($s.FailureReasons).Count -gt 0 -and $s.Failed -ge 5 } -TimeoutSeconds 30 -What 'failed connections'
            }
            finally { $null = Stop-LabRole $script:lab $copy }
            $top = @($status.FailureReasons)[0]
            $top.CloseReason | Should -Be 'HandshakeFailed'
            $top.HandshakeFailure | Should -Be 'BystanderReset'
            $top.Count | Should -BeGreaterOrEqual 5
            $top.ExampleClient | Should -Match '^198\.18\.0\.10:\d+$'
            $top.Remedy | Should -Match 'Set-TargetRoute -FakeClientNetwork 198\.18\.0\.50/32'
        }
    }
}
