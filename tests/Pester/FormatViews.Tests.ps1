#Requires -Version 7.4
# The default views fit an 80-column terminal: rendered with Out-String -Width 80 (the host's RawUI width is not
# reliable under a test runner), no line is longer than 80 and no typical value is cut to an ellipsis, for the live
# objects and for their deserialized twins (remoting, Import-Clixml). Sessions need a running copy: their views are
# checked with a real copy in ReportObjects.Lab.Tests.ps1.

BeforeAll {
    $modulePath = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" }
    Import-Module $modulePath -Force
    $fixtures = Resolve-Path "$PSScriptRoot/../Unit/Fixtures"

    function ConvertTo-Deserialized($InputObject) {
        [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($InputObject))
    }

    function Assert-Fits80([string] $Text, [string] $What) {
        @($Text -split "`r?`n" | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty -Because "$What must fit 80 columns"
        $Text | Should -Not -Match '…' -Because "$What must not cut a value"
    }

    # Connection records as the engine makes them (its constructor and setters are internal: set by reflection),
    # with the widest typical values: 21-character endpoints, a 30-character close reason, an open connection.
    function New-Connection([long] $Id, [string] $Client, [string] $Fake, [string] $Close, [string] $Failure, [long] $Requests, [double] $Seconds) {
        $type = [TcpReplay.Engine.Connections.CopiedConnection]
        $toNumber = { param($text) [TcpReplay.Engine.Addresses]::FromIPAddress([ipaddress]$text) }
        $clientAddress, $clientPort = $Client -split ':'
        $fakeAddress, $fakePort = $Fake -split ':'
        $transfer = [TcpReplay.Engine.Connections.Transfer]::new(0, 8080, (& $toNumber '198.18.0.30'), 8080)
        $start = [datetime]::new(2026, 1, 1, 12, 0, 0, [DateTimeKind]::Utc)
        $connection = $type.GetConstructors([System.Reflection.BindingFlags]'NonPublic, Instance')[0].Invoke(@(
            $Id, (& $toNumber $clientAddress), [uint16]$clientPort, (& $toNumber '198.18.0.20'), [uint16]8080,
            (& $toNumber $fakeAddress), [uint16]$fakePort, $transfer, $start))
        $set = { param($name, $value) $type.GetProperty($name).SetValue($connection, $value) }
        & $set 'Requests' $Requests
        & $set 'CloseReason' ([TcpReplay.Engine.Connections.CloseReason]$Close)
        & $set 'HandshakeFailure' ([TcpReplay.Engine.Connections.HandshakeFailure]$Failure)
        if ($Close -ne 'None') { & $set 'EndTime' ([Nullable[datetime]]$start.AddSeconds($Seconds)) }
        $connection
    }
}

Describe 'Default views at 80 columns' {
    Context 'CopiedConnection' {
        BeforeAll {
            $script:connections = @(
                New-Connection 1 '198.18.0.10:54321' '198.19.0.1:54321' 'Completed' 'None' 12 1.25
                New-Connection 2 '255.255.255.255:65535' '198.19.255.254:65535' 'HandshakeFailed' 'BystanderReset' 0 3.5
                New-Connection 3 '198.18.0.10:40001' '198.19.0.2:40001' 'InterceptUnavailable' 'None' 99999 9999.999
                New-Connection 4 '198.18.0.10:40002' '198.19.0.2:40002' 'None' 'None' 3 0
            )
        }

        It 'shows every row and every close reason whole, live and deserialized' {
            foreach ($form in 'live', 'deserialized') {
                $objects = if ($form -eq 'live') { $script:connections } else { $script:connections | ForEach-Object { ConvertTo-Deserialized $_ } }
                $text = $objects | Out-String -Width 80
                Assert-Fits80 $text "the $form connection table"
                $text | Should -Match 'Client\s+FakeClient\s+Reqs\s+Secs\s+Close' -Because "the $form objects use the view"
                $text | Should -Match '255\.255\.255\.255:65535\s+198\.19\.255\.254:65535'
                $text | Should -Match 'HandshakeFailed/'
                $text | Should -Match '(?m)^\s+BystanderReset'
                $text | Should -Match '99999\s+9999\.999\s+InterceptUnavailable'
                $text | Should -Match '40002\s+3\s+[\d.]+\s+Open'
            }
        }

        It 'lists every property in the default list, typed' {
            $text = $script:connections[0] | Format-List | Out-String -Width 80
            $text | Should -Match 'StartTime\s+: '
            $text | Should -Match 'HandshakeRtt\s+:'
            $script:connections[0].StartTime.Kind | Should -Be 'Utc'
            $script:connections[0].Duration | Should -BeOfType [timespan]
            $script:connections[0].ClientAddress | Should -BeOfType [ipaddress]
        }
    }

    Context 'PcapConnection' {
        It 'fits, live and deserialized' {
            $connections = @(Get-PcapConnection -Path (Join-Path $fixtures 'http-usec.pcap'))
            foreach ($objects in $connections, @($connections | ForEach-Object { ConvertTo-Deserialized $_ })) {
                $text = $objects | Out-String -Width 80
                Assert-Fits80 $text 'the capture connection table'
                $text | Should -Match 'Client\s+Server\s+Packets\s+Bytes\s+Secs\s+Close'
                @($text -split "`n" | Where-Object { $_ -match ':8080\s+12\s' }).Count | Should -Be 4
            }
        }
    }

    Context 'HealthCheckResult' {
        It 'wraps a long detail and its remedy instead of cutting them, live and deserialized' {
            $results = @(
                [TcpReplay.Engine.Diagnostics.Health.HealthCheckResult]::new('IpForwarding', 'Assistant', 'Fail',
                    'net.ipv4.ip_forward is 1 on the assistant: it would forward the target''s answers to the fake clients.', 'sysctl -w net.ipv4.ip_forward=0')
                [TcpReplay.Engine.Diagnostics.Health.HealthCheckResult]::new('LibPcap', 'Online', 'Pass', 'libpcap.so.0.8 loads (version 1.10.3).')
            )
            foreach ($objects in $results, @($results | ForEach-Object { ConvertTo-Deserialized $_ })) {
                $text = $objects | Out-String -Width 80
                Assert-Fits80 $text 'the health table'
                $text | Should -Match 'Status\s+Role\s+Name\s+Detail'
                # Wrapping may break a word: compare without the white space.
                ($text -replace '\s+', '') | Should -Match 'Fix:sysctl-wnet\.ipv4\.ip_forward=0'
            }
        }
    }
}
