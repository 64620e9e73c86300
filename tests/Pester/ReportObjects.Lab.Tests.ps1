#Requires -Version 7.4
# The objects of a real copy move whole: a short live copy in a four-host namespace lab (as in LiveCopy.Lab.Tests.ps1)
# exports its stopped session and connection records (tests/Lab/roles/Export-RoleObjects.ps1) through Export-Csv,
# ConvertTo-Json -Depth 4, the remoting serializer and a Start-Job round trip; here they are read back in another
# process and compared figure by figure with what the live objects held. The default views are checked at 80
# columns, live and deserialized, and the report of the real session is rendered by headless Chromium.
# Needs root and the lab programs (skipped with the reason otherwise) and the built module.

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
    $script:HasChromium = [bool](Get-Command chromium -CommandType Application -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/LiveCopyLab.psm1" -Force
    $script:ModulePath = Get-LabModulePath
    Import-Module $script:ModulePath -Force
    $script:SkipReason = Get-LabSkipReason

    # Compares one figure as the live object held it with its text (CSV) or its JSON value. Export-Csv writes a
    # DateTime in the current culture without fractions of a second, so times match to the second there; JSON keeps
    # them whole (ISO 8601 with 7 decimals).
    function Assert-Figure([string] $Name, $Expected, $Actual, [ValidateSet('Csv', 'Json', 'Clixml')] [string] $Form) {
        $because = "$Form keeps $Name"
        if ($null -eq $Expected) { if ($Form -eq 'Csv') { "$Actual" | Should -BeNullOrEmpty -Because $because } else { $Actual | Should -BeNullOrEmpty -Because $because }; return }
        if ($Expected.EnumName) {
            $text = if ($Actual -is [psobject] -and $Actual.psobject.BaseObject -is [ValueType]) { "$($Actual.psobject.BaseObject)" } else { "$Actual" }
            $text | Should -BeIn @($Expected.EnumName, "$($Expected.EnumValue)") -Because $because
            return
        }
        switch ($Expected) {
            { $_ -is [datetime] } {
                $actualTime = if ($Actual -is [datetime]) { $Actual } else { [datetime]::Parse("$Actual", [cultureinfo]::CurrentCulture) }
                if ($Form -eq 'Csv') {
                    [math]::Abs(($actualTime - $Expected.ToLocalTime().ToUniversalTime().ToLocalTime()).TotalSeconds) | Should -BeLessThan 1 -Because $because
                }
                else { $actualTime.ToUniversalTime() | Should -Be $Expected.ToUniversalTime() -Because $because }
                break
            }
            { $_ -is [timespan] } {
                $actualSpan = if ($Actual -is [timespan]) { $Actual } elseif ($Form -eq 'Json') { [timespan]::FromTicks($Actual.Ticks) } else { [timespan]::Parse("$Actual", [cultureinfo]::InvariantCulture) }
                $actualSpan | Should -Be $Expected -Because $because
                break
            }
            { $_ -is [bool] } { [bool]::Parse("$Actual") | Should -Be $Expected -Because $because; break }
            { $_ -is [double] -or $_ -is [single] } { [double]"$Actual" | Should -Be $Expected -Because $because; break }
            { $_ -is [ValueType] } { [decimal]"$Actual" | Should -Be ([decimal]$Expected) -Because $because; break }
            default { "$Actual" | Should -Be "$Expected" -Because $because }
        }
    }

    # Figures that are a property of the moment of reading, not of the copy: the job's own bookkeeping.
    $script:NotFigures = @('PSBeginTime', 'PSEndTime', 'Finished', 'InstanceId')

    function Assert-AllFigures($Truth, $Actual, [string] $Form, [string[]] $Skip = @()) {
        $checked = 0
        foreach ($name in @($Truth.Keys)) {
            if ($name -in $script:NotFigures -or $name -in $Skip) { continue }
            $property = $Actual.psobject.Properties[$name]
            $property | Should -Not -BeNullOrEmpty -Because "$Form should carry $name"
            $value = $property.Value
            # JSON keeps an IPAddress as an object of its fields; Address is the IPv4 address as a number.
            if ($Form -eq 'Json' -and $value -is [psobject] -and $value.psobject.Properties['AddressFamily'] -and $value.psobject.Properties['Address']) {
                $value = [ipaddress]::new([long]$value.Address).ToString()
            }
            Assert-Figure -Name $name -Expected $Truth[$name] -Actual $value -Form $Form
            $checked++
        }
        $checked
    }

    function Assert-Fits80([string] $Text, [string] $What) {
        $lines = @($Text -split "`r?`n")
        $long = @($lines | Where-Object { $_.Length -gt 80 })
        $long | Should -BeNullOrEmpty -Because "$What must fit 80 columns"
        $Text | Should -Not -Match '…' -Because "$What must not cut a value"
    }
}

Describe 'Objects of a real copy' -Tag 'Lab', 'LiveCopy' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        $script:lab = $null
        if ($script:SkipReason) { return }
        $script:lab = New-ReplayLab -Hosts client, online, target, assistant
        $null = Start-LabNginx $script:lab -HostName online -Port 8080
        $null = Start-LabNginx $script:lab -HostName target -Port 8080
        $null = Invoke-LabPwsh $script:lab -HostName target -Command "Import-Module '$($script:ModulePath)'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"
        # Readiness waits are long: pwsh start, module import and the capture probe take over 30 s on a loaded machine.
        $intercept = Start-LabRole $script:lab -Role Intercept -HostName assistant -ModulePath $script:ModulePath -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 300 }
        Wait-LabRole $intercept -TimeoutSeconds 120
        $script:export = Join-Path $script:lab.TempDirectory 'export'
        $copy = Start-LabRole $script:lab -Role Copy -HostName online -ModulePath $script:ModulePath -Parameters @{
            Transfer = '8080-198.18.0.30:8080'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.0.0/24'; Interface = 'eth0'
            DeadlineSeconds = 240; ExportPath = $script:export
        }
        Wait-LabRole $copy -TimeoutSeconds 120
        $null = Wait-LabCopyCondition $copy { param($s) $s.InterceptConnected } -TimeoutSeconds 60 -What 'the intercept link'
        $script:traffic = Invoke-LabHttpTraffic $script:lab -Connections 40 -RequestsMax 5 -Seed 21 -Concurrency 8
        # At least two counter samples (one a second) and the last closes.
        Start-Sleep -Seconds 3
        $null = Stop-LabRole $script:lab $copy -TimeoutSeconds 60
        $script:truth = Import-Clixml (Join-Path $script:export 'truth.clixml')
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    It 'copied the traffic, so the figures are not zeros' {
        $script:truth.Session.Connections | Should -BeGreaterOrEqual 40
        $script:truth.Session.ClientPackets | Should -BeGreaterThan 100
        $script:truth.Connections.Count | Should -BeGreaterOrEqual 40
    }

    Context 'Export-Csv and Import-Csv' {
        It 'keep every figure of the session' {
            $row = @(Import-Csv (Join-Path $script:export 'session.csv'))
            $row.Count | Should -Be 1
            (Assert-AllFigures $script:truth.Session $row[0] 'Csv') | Should -BeGreaterThan 20
            # The close reasons, a dictionary, travel as CloseReasonSummary.
            $row[0].CloseReasonSummary | Should -Match '^(\w+=\d+)( \w+=\d+)*$'
            $sum = ($row[0].CloseReasonSummary -split ' ' | ForEach-Object { [long]($_ -split '=')[1] } | Measure-Object -Sum).Sum
            $sum | Should -Be ($script:truth.Session.Completed + $script:truth.Session.Failed + [long]([regex]::Match($row[0].CloseReasonSummary, 'Stopped=(\d+)').Groups[1].Value))
        }

        It 'keep every figure of every connection' {
            $rows = @(Import-Csv (Join-Path $script:export 'connections.csv'))
            $rows.Count | Should -Be $script:truth.Connections.Count
            for ($i = 0; $i -lt $rows.Count; $i++) {
                (Assert-AllFigures $script:truth.Connections[$i] $rows[$i] 'Csv') | Should -BeGreaterThan 20
            }
        }
    }

    Context 'ConvertTo-Json -Depth 4 and ConvertFrom-Json' {
        It 'keep every figure of the session' {
            $object = Get-Content -Raw (Join-Path $script:export 'session.json') | ConvertFrom-Json
            (Assert-AllFigures $script:truth.Session $object 'Json') | Should -BeGreaterThan 20
        }

        It 'keep every figure of every connection' {
            $objects = @(Get-Content -Raw (Join-Path $script:export 'connections.json') | ConvertFrom-Json)
            $objects.Count | Should -Be $script:truth.Connections.Count
            for ($i = 0; $i -lt $objects.Count; $i++) {
                (Assert-AllFigures $script:truth.Connections[$i] $objects[$i] 'Json') | Should -BeGreaterThan 20
            }
        }
    }

    Context 'remoting' {
        BeforeAll {
            $script:remoteSession = [System.Management.Automation.PSSerializer]::Deserialize((Get-Content -Raw (Join-Path $script:export 'session.psxml')))
            $script:remoteConnections = @([System.Management.Automation.PSSerializer]::Deserialize((Get-Content -Raw (Join-Path $script:export 'connections.psxml'))))
            $script:viaJob = @([System.Management.Automation.PSSerializer]::Deserialize((Get-Content -Raw (Join-Path $script:export 'via-job.psxml'))))
        }

        It 'keeps every figure, typed, through the serializer remoting uses' {
            $script:remoteSession.pstypenames[0] | Should -Be 'Deserialized.TcpReplay.PowerShell.Sessions.TcpCopySession'
            (Assert-AllFigures $script:truth.Session $script:remoteSession 'Clixml') | Should -BeGreaterThan 20
            $script:remoteSession.StartTime | Should -BeOfType [datetime]
            $script:remoteSession.Duration | Should -BeOfType [timespan]
            for ($i = 0; $i -lt $script:remoteConnections.Count; $i++) {
                $null = Assert-AllFigures $script:truth.Connections[$i] $script:remoteConnections[$i] 'Clixml'
            }
        }

        It 'keeps every figure through a Start-Job process and back' {
            $script:viaJob.Count | Should -Be 2
            $null = Assert-AllFigures $script:truth.Session $script:viaJob[0] 'Clixml' -Skip 'Id', 'Name', 'State', 'JobStateInfo', 'HasMoreData', 'Location'
            $null = Assert-AllFigures $script:truth.Connections[0] $script:viaJob[1] 'Clixml'
        }

        It 'shows the default table and list views of deserialized objects within 80 columns' {
            $table = $script:remoteSession | Out-String -Width 80
            $table | Should -Match 'Layer\s+Conns\s+Done\s+Failed'
            $table | Should -Match "\s$($script:truth.Session.Connections)\s+$($script:truth.Session.Completed)\s"
            Assert-Fits80 $table 'the deserialized session table'
            $list = $script:remoteSession | Format-List | Out-String -Width 80
            $list | Should -Match "ClientPackets\s+: $($script:truth.Session.ClientPackets)"
            Assert-Fits80 $list 'the deserialized session list'
            $connections = $script:remoteConnections | Out-String -Width 80
            $connections | Should -Match 'Client\s+FakeClient\s+Reqs\s+Secs\s+Close'
            Assert-Fits80 $connections 'the deserialized connection table'
            $script:viaJob[1] | Out-String -Width 80 | Should -Match 'FakeClient'
        }
    }

    Context 'default views of the live objects' {
        It 'fit <_> within 80 columns and cut no value' -ForEach 'session-table', 'session-list', 'connections-table', 'connections-list' {
            $text = Get-Content -Raw (Join-Path $script:export "$_.txt")
            $text | Should -Not -BeNullOrEmpty
            Assert-Fits80 $text $_
        }
    }

    Context 'Start-TcpCopy -Wait -DurationSeconds (the live view)' {
        BeforeAll {
            if ($script:SkipReason) { return }
            # The progress records are read from the PowerShell instance's Progress stream (a terminal would draw them).
            $script:progressFile = Join-Path $script:lab.TempDirectory 'progress.json'
            $script_ = Join-Path $script:lab.TempDirectory 'wait-copy.ps1'
            Set-Content $script_ @"
`$ps = [powershell]::Create()
`$null = `$ps.AddScript("Import-Module '$($script:ModulePath)'; Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Interface eth0 -Wait -DurationSeconds 15")
`$clock = [System.Diagnostics.Stopwatch]::StartNew()
`$output = @(`$ps.Invoke())
[pscustomobject]@{
    Seconds = `$clock.Elapsed.TotalSeconds
    Errors = @(`$ps.Streams.Error | ForEach-Object { "`$_" })
    Progress = @(`$ps.Streams.Progress | Select-Object Activity, StatusDescription, PercentComplete, SecondsRemaining, @{ n = 'RecordType'; e = { "`$(`$_.RecordType)" } })
    Output = @(`$output | Select-Object Connections, ClientPackets, @{ n = 'State'; e = { "`$(`$_.JobStateInfo.State)" } }, @{ n = 'Type'; e = { `$_.GetType().FullName } })
} | ConvertTo-Json -Depth 4 | Set-Content '$($script:progressFile)'
"@
            $process = Start-LabPwsh $script:lab -HostName online -File $script_ -Name 'wait-copy'
            # The traffic must fall inside the 6 s copy: wait until the copier's capture shows up in the namespace's sockets.
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            do { Start-Sleep -Milliseconds 250; $raw = Invoke-LabCommand $script:lab -HostName online -Command 'cat /proc/net/raw /proc/net/packet' }
            while (@($raw -split "`n").Count -le 2 -and $clock.Elapsed.TotalSeconds -lt 90)
            # The sender's socket comes first; the capture (after the Auto probe) a moment later.
            Start-Sleep -Seconds 3
            $script:waitTraffic = Invoke-LabHttpTraffic $script:lab -Connections 30 -RequestsMax 3 -Seed 23 -Concurrency 4
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            while (-not (Test-Path $script:progressFile) -and -not $process.Process.HasExited -and $clock.Elapsed.TotalSeconds -lt 90) { Start-Sleep -Milliseconds 200 }
            $null = $process.Process.WaitForExit(10000)
            if (-not (Test-Path $script:progressFile)) { throw "wait-copy wrote no result: $(Get-Content -Raw -ErrorAction Ignore $process.StandardError)" }
            $script:waited = Get-Content -Raw $script:progressFile | ConvertFrom-Json
        }

        It 'blocks for the duration, then emits the stopped session' {
            $script:waited.Errors | Should -BeNullOrEmpty
            $script:waited.Seconds | Should -BeGreaterOrEqual 15
            # Module import and the capture probe count too, and take long on a loaded machine.
            $script:waited.Seconds | Should -BeLessThan 75
            @($script:waited.Output).Count | Should -Be 1
            $script:waited.Output[0].Type | Should -Be 'TcpReplay.PowerShell.Sessions.TcpCopySession'
            $script:waited.Output[0].State | Should -Be 'Stopped'
            $script:waited.Output[0].Connections | Should -BeGreaterOrEqual 30
        }

        It 'refreshes a progress record about once a second with rates and counts, then completes it' {
            $records = @($script:waited.Progress)
            $records = @($records | Where-Object Activity -like 'Copying*')
            $processing = @($records | Where-Object RecordType -eq 'Processing')
            # Counted by distinct moments (percent of the 15 s done): one loaded make-test run delivered 31 records for
            # 15 s, as if each were in the Progress stream twice (not explained yet); a refresh faster than once a
            # second would still show as more distinct moments.
            $moments = @($processing.PercentComplete | Sort-Object -Unique).Count
            $moments | Should -BeGreaterOrEqual 10
            $moments | Should -BeLessOrEqual 17
            $processing[-1].StatusDescription | Should -Match '^[\d,]+ client pkt/s, [\d,]+ sent pkt/s, [\d,.]+ conn/s \| [\d,]+ connections, [\d,]+ completed, \d+ failed, [\d,]+ client packets$'
            # Some refresh saw the traffic going: a non-zero client packet rate.
            @($processing | Where-Object { $_.StatusDescription -notmatch '^0 client pkt/s' }).Count | Should -BeGreaterThan 0
            $processing[-1].PercentComplete | Should -BeGreaterThan 50
            $records[-1].RecordType | Should -Be 'Completed'
        }
    }

    Context 'Export-ReplayReport of the session' {
        It 'writes a page with the throughput from the session samples and every connection' {
            $html = Get-Content -Raw (Join-Path $script:export 'report.html')
            $html | Should -Match "From the session&#39;s counters|From the session's counters"
            $rows = @(Import-Csv (Join-Path $script:export 'report.csv'))
            $rows.Count | Should -Be $script:truth.Connections.Count
            $model = Get-Content -Raw (Join-Path $script:export 'report.json') | ConvertFrom-Json
            $model.Runs[0].Figures.ClientPackets | Should -Be $script:truth.Session.ClientPackets
            $model.Runs[0].Samples.Count | Should -BeGreaterOrEqual 2
        }

        It 'renders the charts of the real session in headless Chromium' -Skip:(-not $script:HasChromium) {
            $page = Join-Path $script:export 'report.html'
            $dom = (& chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --dump-dom "file://$page" 2> (Join-Path $TestDrive 'chromium.log')) -join "`n"
            $dom | Should -Match '<svg[^>]*id="chart-throughput"'
            ([regex]::Matches($dom, '<polyline class="series"')).Count | Should -BeGreaterOrEqual 3
            $dom | Should -Match '<svg[^>]*id="chart-close-reasons"'
            Get-Content (Join-Path $TestDrive 'chromium.log') | Where-Object { $_ -match 'CONSOLE|Uncaught' } | Should -BeNullOrEmpty
            Copy-Item $page (Join-Path ([System.IO.Path]::GetTempPath()) 'tcpreplay-lab-report.html') -Force
        }
    }
}
