#Requires -Version 7.4
# Export-ReplayReport from connection records (synthetic, in the shape Get-TcpCopyConnection and Import-Csv give):
# the formats, the file semantics, escaping, and the HTML page rendered by headless Chromium. The report of a real
# session is checked in ReportObjects.Lab.Tests.ps1.

BeforeDiscovery {
    # build/install-deps.sh installs chromium; without it the rendering test is skipped, not failed.
    $script:HasChromium = [bool](Get-Command chromium -CommandType Application -ErrorAction SilentlyContinue)
}

BeforeAll {
    $modulePath = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" }
    Import-Module $modulePath -Force
    $commandId = 'TcpReplay.PowerShell.Cmdlets.ExportReplayReportCommand'
    $script:Chromium = Get-Command chromium -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1

    # 40 connections over about 20 s: 36 complete, 3 target resets, 1 handshake failure; online answers in about
    # 2 ms and the target in about 22 ms; request 7 of each tenth connection gets another status code.
    function New-Record([int] $Index) {
        $start = [datetime]::new(2026, 1, 1, 12, 0, 0, [DateTimeKind]::Utc).AddMilliseconds(500 * $Index)
        $close = switch ($Index % 13) { 5 { 'TargetReset' } default { 'Completed' } }
        $failure = if ($Index -eq 39) { 'BystanderReset' } else { 'None' }
        if ($failure -ne 'None') { $close = 'HandshakeFailed' }
        [pscustomobject]@{
            Id = $Index; Client = "198.18.0.10:$(40000 + $Index)"; FakeClient = "198.19.0.1:$(40000 + $Index)"; TargetAddress = '198.18.0.30'; TargetPort = 8080
            StartTime = $start; EndTime = $start.AddMilliseconds(200 + 37 * $Index); Duration = [timespan]::FromMilliseconds(200 + 37 * $Index)
            HandshakeRtt = [timespan]::FromMilliseconds(0.4); ClientPackets = 12; ClientBytes = 2400; SentPackets = 12; SentBytes = 2400
            Requests = 1 + $Index % 5; ResponsePackets = 10; ResponseBytes = 15000 + $Index; Retransmissions = $Index % 3
            CloseReason = $close; HandshakeFailure = $failure; CloseDetail = if ($close -eq 'Completed') { $null } else { "ended: $close <b>#$Index</b>" }
            OnlineResponseTimeMs = 2 + ($Index % 7) * 0.1; TargetResponseTimeMs = 22 + ($Index % 7) * 0.3; StatusMismatches = [int]($Index % 10 -eq 7)
        }
    }
    $script:Records = @(0..39 | ForEach-Object { New-Record $_ })
}

Describe 'Export-ReplayReport' {
    Context 'Html' {
        BeforeAll {
            $script:page = Join-Path $TestDrive 'report.html'
            $script:file = $script:Records | Export-ReplayReport -Path $script:page -Title 'Lab <run> & co'
            $script:html = Get-Content -Raw $script:page
        }

        It 'writes one page and returns its FileInfo' {
            $script:file | Should -BeOfType [System.IO.FileInfo]
            $script:file.FullName | Should -Be $script:page
            $script:file.Length | Should -BeGreaterThan 1000
        }

        It 'is self-contained: no script, no link, no fetched resource' {
            $script:html | Should -Not -Match '<script|src=|href=|@import|url\('
        }

        It 'escapes the text of the records and the title' {
            $script:html | Should -Not -Match '<b>#'
            $script:html | Should -Match '&lt;b&gt;#5&lt;/b&gt;'
            $script:html | Should -Match 'Lab &lt;run&gt; &amp; co'
        }

        It 'shows online and target percentiles and the mismatch count from the records' {
            $script:html | Should -Match '<td>Online</td><td class="n">40</td><td class="n">2\.30</td>'
            $script:html | Should -Match '<td>Target</td><td class="n">40</td><td class="n">22\.90</td>'
            $script:html | Should -Match '<td>StatusMismatches</td><td class="n">4</td>'
        }

        It 'renders its charts in headless Chromium without script errors' -Skip:(-not $script:HasChromium) {
            $shot = Join-Path $TestDrive 'report.png'
            $log = Join-Path $TestDrive 'chromium.log'
            $common = @('--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1000,2400', '--enable-logging=stderr', '--v=0')
            & $script:Chromium.Source @common "--screenshot=$shot" "file://$($script:page)" 2> $log | Out-Null
            $dom = & $script:Chromium.Source @common '--dump-dom' "file://$($script:page)" 2>> $log
            $dom = $dom -join "`n"
            # The screenshot is a PNG of the requested size with more than a blank page in it.
            $bytes = [System.IO.File]::ReadAllBytes($shot)
            [System.Text.Encoding]::ASCII.GetString($bytes, 1, 3) | Should -Be 'PNG'
            # The IHDR width, big-endian at offset 16.
            (([int]$bytes[16] -shl 24) -bor ([int]$bytes[17] -shl 16) -bor ([int]$bytes[18] -shl 8) -bor [int]$bytes[19]) | Should -Be 1000
            $bytes.Length | Should -BeGreaterThan 20000
            # Chromium parsed the charts into the DOM: throughput lines, the two latency distributions, one bar a close reason.
            $xml = [xml]("<r>" + ([regex]::Matches($dom, '<svg[\s\S]*?</svg>').Value -join '') + "</r>")
            $svgs = @($xml.r.svg)
            $svgs.id | Should -Be @('chart-throughput', 'chart-latency', 'chart-close-reasons')
            @($svgs[0].polyline).Count | Should -Be 2
            @($svgs[1].polyline).'data-series' | Should -Be @('online', 'target')
            @($svgs[2].rect | Where-Object class -eq 'bar').'data-label' | Should -Be @('Completed', 'TargetReset', 'HandshakeFailed')
            $dom | Should -Not -Match '<script'
            Get-Content $log | Where-Object { $_ -match 'CONSOLE|Uncaught|SyntaxError' } | Should -BeNullOrEmpty
        }
    }

    Context 'a session that measured response times' {
        It 'shows the percentiles of the copy''s own histograms over the records'' means' {
            # The shape the statistics branch gives a session: Statistics.OnlineResponseTimes / TargetResponseTimes,
            # histograms with Count, Max and Percentile(p); here stand-ins with the same members.
            function New-Histogram([double] $BaseMs) {
                $h = [pscustomobject]@{ Count = 1000; Max = [timespan]::FromMilliseconds($BaseMs * 3) }
                $h | Add-Member -MemberType ScriptMethod -Name Percentile -Value ([scriptblock]::Create("param([double] `$p) [Nullable[timespan]][timespan]::FromMilliseconds($BaseMs * (1 + `$p / 100))"))
                $h
            }
            $session = [pscustomobject]@{
                Name = 'measured'; Transfers = @('8080-198.18.0.30:8080'); Connections = 40; ClientPackets = 900; StartTime = [datetime]::UtcNow; Duration = [timespan]::FromSeconds(20)
                CloseReasonSummary = 'Completed=40'
                Statistics = [pscustomobject]@{ OnlineResponseTimes = New-Histogram 2; TargetResponseTimes = New-Histogram 20; StatusMismatches = 7; TargetSilentConnections = 1 }
            }
            $path = Join-Path $TestDrive 'measured.html'
            $null = @($session) + $script:Records | Export-ReplayReport -Path $path
            $html = Get-Content -Raw $path
            $html | Should -Match '<td>Online</td><td class="n">1000</td><td class="n">3\.00</td><td class="n">3\.80</td><td class="n">3\.98</td><td class="n">6\.00</td>'
            $html | Should -Match '<td>Target</td><td class="n">1000</td><td class="n">30\.00</td>'
            $html | Should -Match 'Per request, from the copy'
            $html | Should -Match '<td>StatusMismatches</td><td class="n">7</td>'
            $html | Should -Match '<td>TargetSilentConnections</td><td class="n">1</td>'
        }
    }

    Context 'Format' {
        It 'chooses <Format> from the extension <Extension>' -ForEach @(
            @{ Extension = '.md'; Format = 'Markdown'; Pattern = '^# TcpReplay report' }
            @{ Extension = '.json'; Format = 'Json'; Pattern = '^\{' }
            @{ Extension = '.csv'; Format = 'Csv'; Pattern = '^Run,Id,Client,' }
            @{ Extension = '.txt'; Format = 'Html'; Pattern = '^<!DOCTYPE html>' }
        ) {
            $path = Join-Path $TestDrive "by-extension$Extension"
            $null = $script:Records | Export-ReplayReport -Path $path
            Get-Content -Raw $path | Should -Match $Pattern
        }

        It 'writes -Format over the extension' {
            $path = Join-Path $TestDrive 'forced.html'
            $null = $script:Records | Export-ReplayReport -Path $path -Format Markdown
            Get-Content -Raw $path | Should -Match '(?m)^\| TargetReset \| 3 \|'
        }

        It 'gives Csv one row per record with every figure, which Import-Csv reads back' {
            $path = Join-Path $TestDrive 'rows.csv'
            $null = $script:Records | Export-ReplayReport -Path $path
            $rows = @(Import-Csv $path)
            $rows.Count | Should -Be 40
            foreach ($i in 0, 5, 39) {
                $rows[$i].Client | Should -Be $script:Records[$i].Client
                [long]$rows[$i].ResponseBytes | Should -Be $script:Records[$i].ResponseBytes
                [double]$rows[$i].DurationMs | Should -Be $script:Records[$i].Duration.TotalMilliseconds
                ([datetime]::Parse($rows[$i].StartTime, [cultureinfo]::InvariantCulture, 'AdjustToUniversal')) | Should -Be $script:Records[$i].StartTime
                $rows[$i].TargetResponseTimeMs | Should -Be "$($script:Records[$i].TargetResponseTimeMs)"
            }
        }

        It 'gives Json the whole model' {
            $path = Join-Path $TestDrive 'model.json'
            $null = $script:Records | Export-ReplayReport -Path $path
            $model = Get-Content -Raw $path | ConvertFrom-Json
            $model.Connections.Count | Should -Be 40
            $model.TargetLatency.Count | Should -Be 40
            $model.Comparison.StatusMismatches | Should -Be 4
        }

        It 'takes its own CSV output back as input' {
            $csv = Join-Path $TestDrive 'again.csv'
            $null = $script:Records | Export-ReplayReport -Path $csv
            $null = Import-Csv $csv | Export-ReplayReport -Path (Join-Path $TestDrive 'again.md')
            Get-Content -Raw (Join-Path $TestDrive 'again.md') | Should -Match 'Failed connections \(4\)'
        }
    }

    Context 'Files' {
        It 'overwrites an existing file, but not with -NoClobber' {
            $path = Join-Path $TestDrive 'exists.html'
            Set-Content $path 'old'
            $null = $script:Records | Export-ReplayReport -Path $path
            Get-Content -Raw $path | Should -Match 'DOCTYPE'
            Set-Content $path 'old'
            { $script:Records | Export-ReplayReport -Path $path -NoClobber } | Should -Throw -ErrorId "ReportFileExists,$commandId"
            Get-Content -Raw $path | Should -Match 'old'
        }

        It 'overwrites a read-only file only with -Force' {
            $path = Join-Path $TestDrive 'readonly.html'
            Set-Content $path 'old'
            (Get-Item $path).IsReadOnly = $true
            { $script:Records | Export-ReplayReport -Path $path } | Should -Throw -ErrorId "ReportFileReadOnly,$commandId"
            $null = $script:Records | Export-ReplayReport -Path $path -Force
            Get-Content -Raw $path | Should -Match 'DOCTYPE'
        }

        It 'writes nothing with -WhatIf, even with -Force' {
            $path = Join-Path $TestDrive 'whatif.html'
            $result = $script:Records | Export-ReplayReport -Path $path -WhatIf -Force
            $result | Should -BeNullOrEmpty
            Test-Path $path | Should -BeFalse
        }

        It 'fails with ReportDirectoryNotFound for a missing folder' {
            { $script:Records | Export-ReplayReport -Path (Join-Path $TestDrive 'no/such/report.html') } | Should -Throw -ErrorId "ReportDirectoryNotFound,$commandId"
        }

        It 'reports what it cannot use and goes on with the rest' {
            $path = Join-Path $TestDrive 'mixed.html'
            $file = @(42) + $script:Records | Export-ReplayReport -Path $path -ErrorVariable errors -ErrorAction SilentlyContinue
            $file | Should -Not -BeNullOrEmpty
            $errors[0].FullyQualifiedErrorId | Should -Be "UnsupportedReportInput,$commandId"
        }

        It 'fails with NoReportInput when nothing usable came' {
            { 'text' | Export-ReplayReport -Path (Join-Path $TestDrive 'none.html') -ErrorAction SilentlyContinue } | Should -Throw -ErrorId "NoReportInput,$commandId"
        }
    }

    Context 'Help' {
        It 'runs its example that reads records from a CSV file' {
            Push-Location $TestDrive
            try {
                $script:Records | Export-Csv ./connections.csv
                $example = (Get-Help Export-ReplayReport).examples.example | Where-Object code -match 'Import-Csv'
                $file = Invoke-Expression $example.code
                $file.Name | Should -Be 'connections-report.html'
            }
            finally { Pop-Location }
        }
    }
}
