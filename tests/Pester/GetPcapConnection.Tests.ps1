#Requires -Version 7.4
# Module-level behaviour of Get-PcapConnection on real tcpdump/tshark captures (tests/Unit/Fixtures):
# import, help and its examples, pipeline binding, and damaged files. The lab comparison with tshark is in
# GetPcapConnection.Lab.Tests.ps1.

BeforeAll {
    $modulePath = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" }
    Import-Module $modulePath -Force
    $fixtures = Resolve-Path "$PSScriptRoot/../Unit/Fixtures"
    $usec = Join-Path $fixtures 'http-usec.pcap'
    $pcapng = Join-Path $fixtures 'http.pcapng'
    $commandId = 'TcpReplay.PowerShell.Cmdlets.GetPcapConnectionCommand'
}

Describe 'TcpReplay module' {
    It 'imports in the shipped pwsh and exports Get-PcapConnection' {
        (Get-Module TcpReplay).ExportedCmdlets.Keys | Should -Contain 'Get-PcapConnection'
        $PSVersionTable.PSVersion.Major | Should -BeGreaterOrEqual 7
    }
}

Describe 'Get-PcapConnection' {
    Context 'Path parameter set' {
        It 'lists every connection of a tcpdump capture with counts per direction' {
            $connections = @(Get-PcapConnection -Path $usec)
            $connections.Count | Should -Be 4
            $connections | ForEach-Object {
                $_.ServerPort | Should -Be 8080
                $_.HandshakeSeen | Should -BeTrue
                "$($_.Close)" | Should -Be 'Fin'
                $_.ClientPackets + $_.ServerPackets | Should -Be 12
                $_.FirstTimestamp.Kind | Should -Be 'Utc'
                $_.Duration | Should -BeOfType [timespan]
            }
        }

        It 'reads pcapng and nanosecond pcap alike' {
            $a = Get-PcapConnection -Path $usec | ForEach-Object { "$($_.Client) $($_.ClientBytes) $($_.ServerBytes)" }
            $b = Get-PcapConnection -Path $pcapng | ForEach-Object { "$($_.Client) $($_.ClientBytes) $($_.ServerBytes)" }
            $b | Should -Be $a
        }

        It 'expands wildcards' {
            @(Get-PcapConnection -Path (Join-Path $fixtures 'http-*.pcap')).Count | Should -Be 8
        }

        It 'takes file objects from Get-ChildItem on the pipeline' {
            $connections = @(Get-ChildItem -Path $fixtures -Filter '*.pcap*' -File | Where-Object Extension -ne '.txt' | Get-PcapConnection)
            $connections.Count | Should -Be 12
            ($connections.Path | Sort-Object -Unique).Count | Should -Be 3
        }

        It 'writes a non-terminating PathNotFound for a missing file and goes on with the others' {
            $connections = @(Get-PcapConnection -Path (Join-Path $TestDrive 'nope.pcap'), $usec -ErrorVariable errors -ErrorAction SilentlyContinue)
            $connections.Count | Should -Be 4
            $errors[0].FullyQualifiedErrorId | Should -Be "PathNotFound,$commandId"
        }
    }

    Context 'LiteralPath parameter set' {
        It 'reads a file whose name holds wildcard characters' {
            $odd = Join-Path $TestDrive 'odd[1].pcap'
            Copy-Item -LiteralPath $usec -Destination $odd
            @(Get-PcapConnection -LiteralPath $odd).Count | Should -Be 4
        }
    }

    Context 'Damaged files' {
        It 'reports a truncated capture with its byte offset and still emits the connections before the cut' {
            $bytes = [System.IO.File]::ReadAllBytes($usec)
            $cut = Join-Path $TestDrive 'cut.pcap'
            [System.IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length * 0.6))])
            $connections = @(Get-PcapConnection -Path $cut -ErrorVariable errors -ErrorAction SilentlyContinue)
            $connections.Count | Should -BeGreaterThan 0
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "CaptureFileTruncated,$commandId"
            $errors[0].Exception.Message | Should -Match 'at byte offset \d+'
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $errors[0].ErrorDetails.RecommendedAction | Should -Match 'tcpdump -U'
        }

        It 'reports a file that is not a capture at offset 0' {
            $text = Join-Path $TestDrive 'notes.pcap'
            Set-Content -Path $text -Value 'this is not a capture'
            $connections = @(Get-PcapConnection -Path $text -ErrorVariable errors -ErrorAction SilentlyContinue)
            $connections.Count | Should -Be 0
            $errors[0].FullyQualifiedErrorId | Should -Be "NotACaptureFile,$commandId"
            $errors[0].Exception.Message | Should -Match 'at byte offset 0'
        }
    }

    Context 'Objects and views' {
        It 'has a default table view that fits 80 columns' {
            $lines = Get-PcapConnection -Path $usec | Format-Table | Out-String -Width 80 -Stream
            $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
            ($lines -join "`n") | Should -Match 'Client\s+Server\s+Packets\s+Bytes\s+Secs\s+Close'
        }

        It 'round-trips every figure through Export-Csv and ConvertTo-Json' {
            $connections = Get-PcapConnection -Path $usec
            $csv = Join-Path $TestDrive 'c.csv'
            $connections | Export-Csv -Path $csv -NoTypeInformation
            $back = Import-Csv -Path $csv
            $json = $connections | ConvertTo-Json -Depth 4 | ConvertFrom-Json
            for ($i = 0; $i -lt $connections.Count; $i++) {
                foreach ($name in 'ClientPort', 'ServerPort', 'ClientPackets', 'ServerPackets', 'ClientBytes', 'ServerBytes', 'ClientFrameBytes', 'ServerFrameBytes') {
                    [long]$back[$i].$name | Should -Be $connections[$i].$name
                    [long]$json[$i].$name | Should -Be $connections[$i].$name
                }
                $back[$i].ClientAddress | Should -Be "$($connections[$i].ClientAddress)"
                $back[$i].Close | Should -Be "$($connections[$i].Close)"
            }
        }
    }

    Context 'Help' {
        It 'documents every parameter and has at least two examples' {
            $help = Get-Help Get-PcapConnection -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty
            $help.parameters.parameter.name | Should -Contain 'Path'
            $help.parameters.parameter.name | Should -Contain 'LiteralPath'
            @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        }

        It 'has examples that run without error on real captures' {
            $work = Join-Path $TestDrive 'examples'
            New-Item -ItemType Directory -Path $work | Out-Null
            Copy-Item -Path $usec -Destination (Join-Path $work 'capture.pcap')
            Copy-Item -Path (Join-Path $fixtures 'http-nsec.pcap') -Destination (Join-Path $work 'other.pcap')
            Push-Location $work
            try {
                $outputs = foreach ($example in (Get-Help Get-PcapConnection -Full).examples.example) {
                    $Error.Clear()
                    & ([scriptblock]::Create($example.code))
                    $Error | Should -BeNullOrEmpty -Because $example.code
                }
                @($outputs).Count | Should -BeGreaterThan 0
                Test-Path (Join-Path $work 'connections.csv') | Should -BeTrue
            }
            finally {
                Pop-Location
            }
        }
    }
}
