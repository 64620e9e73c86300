#Requires -Version 7.4
# Acceptance test of Get-PcapConnection against tshark, on a capture of real lab traffic.
#
# A client namespace sends a few hundred HTTP/1.1 connections to nginx in an online namespace,
# while tcpdump records online's eth0. Some connections end with RST, some are left open (the
# capture stops before they close), the rest close with FIN. Get-PcapConnection must see the same
# connections as `tshark -z conv,tcp`, with the same frames and frame bytes in each direction, and
# must tell how each one ended.
#
# Needs root and the lab programs (skipped with the reason otherwise). Needs the built module: when
# it is missing every test FAILS, on purpose. Module path: $env:TCPREPLAY_MODULE, or
# out/TcpReplay/TcpReplay.psd1 at the repository root.

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/TsharkOracle.psm1" -Force

    # The traffic. Small and large responses (up to 64 KiB) so connections have many segments.
    $script:Traffic = @{
        Connections    = 300
        RequestsMax    = 6
        ResetFraction  = 0.1
        CutoffFraction = 0.05
        Seed           = 20251125
        DeadlineSec    = 60
    }
    $script:ClientAddress = [System.Net.IPAddress]::Parse('198.18.0.10')
    $script:ServerAddress = [System.Net.IPAddress]::Parse('198.18.0.20')
    $script:ServerPort = 8080

    function Get-PairKey([string] $AddressA, [int] $PortA, [string] $AddressB, [int] $PortB) {
        # Unordered endpoint pair: the same key whichever side a tool calls first.
        $ends = @("${AddressA}:$PortA", "${AddressB}:$PortB") | Sort-Object -CaseSensitive
        $ends -join ' <-> '
    }

    function Group-ByPair($Items, [scriptblock] $Key, [string] $OrderBy) {
        # Key -> items in time order. A port reused by the client gives two connections with one key;
        # they are paired across tools by their order in time.
        $map = @{}
        foreach ($i in $Items) {
            $k = & $Key $i
            if (-not $map.ContainsKey($k)) { $map[$k] = [System.Collections.Generic.List[object]]::new() }
            $map[$k].Add($i)
        }
        foreach ($k in @($map.Keys)) { $map[$k] = @($map[$k] | Sort-Object $OrderBy) }
        $map
    }

    function Format-Connection($c) {
        "$($c.ClientAddress):$($c.ClientPort) -> $($c.ServerAddress):$($c.ServerPort)"
    }

    $script:SkipReason = Get-LabSkipReason
}

Describe 'Get-PcapConnection on a capture of lab HTTP traffic' -Tag 'Lab', 'Acceptance' {
    BeforeAll {
        # Here rather than at file level: a failure (no module) then fails every test of this block.
        $script:lab = $null
        if ($script:SkipReason) { return }

        $modulePath = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" }
        if (-not (Test-Path -LiteralPath $modulePath)) {
            throw "TcpReplay module not found at '$modulePath': build the module into out/TcpReplay (or set TCPREPLAY_MODULE to its .psd1). This acceptance test cannot run without Get-PcapConnection."
        }
        Import-Module $modulePath -Force -ErrorAction Stop
        if (-not (Get-Command -Name Get-PcapConnection -ErrorAction Ignore)) {
            throw "Module '$modulePath' does not export Get-PcapConnection."
        }

        $script:lab = New-ReplayLab -Hosts client, online
        $null = Start-LabNginx $script:lab -HostName online -Port $script:ServerPort
        $script:PcapPath = Join-Path $script:lab.TempDirectory 'http.pcap'
        $capture = Start-LabCapture $script:lab -HostName online -Interface eth0 -Path $script:PcapPath -Filter "tcp port $($script:ServerPort)"

        $generator = Start-LabProcess $script:lab -HostName client -FilePath python3 -Name http_traffic -ArgumentList @(
            "$PSScriptRoot/../Lab/http_traffic.py"
            '--server', "$($script:ServerAddress)", '--port', "$($script:ServerPort)"
            '--connections', "$($Traffic.Connections)", '--requests-per-connection-max', "$($Traffic.RequestsMax)"
            '--reset-fraction', "$($Traffic.ResetFraction)", '--cutoff-fraction', "$($Traffic.CutoffFraction)"
            '--seed', "$($Traffic.Seed)", '--timeout', '5', '--deadline', "$($Traffic.DeadlineSec)"
            '--hold-seconds', '300', '--concurrency', '10', '--details'
        )
        # The generator prints its "holding" line once every connection is done and the cut-off ones are
        # still open: the capture is stopped then, so it ends with those connections unfinished.
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $holding = $null
        while (-not $holding) {
            $lines = @(Get-Content -LiteralPath $generator.StandardOutput -ErrorAction Ignore)
            $holding = $lines | Where-Object { $_ -like '{"phase":"holding"*' } | Select-Object -First 1
            if ($holding) { break }
            if ($generator.Process.HasExited) {
                throw "http_traffic.py exited with code $($generator.Process.ExitCode) before holding: $(Get-Content -LiteralPath $generator.StandardError -Raw)"
            }
            if ($clock.Elapsed.TotalSeconds -gt $Traffic.DeadlineSec + 15) {
                throw "http_traffic.py did not reach its holding phase within $($Traffic.DeadlineSec + 15) s."
            }
            Start-Sleep -Milliseconds 100
        }
        $script:CaptureResult = Stop-LabCapture $script:lab $capture
        Stop-LabProcess $script:lab -Id $generator.Id
        $script:Generated = $holding | ConvertFrom-Json

        $script:Streams = @(Get-TsharkTcpStream $script:PcapPath)
        $script:Conversations = @(Get-TsharkTcpConversation $script:PcapPath)
        $script:Connections = @(Get-PcapConnection -Path $script:PcapPath -ErrorAction Stop)

        $script:ConnectionsByPair = Group-ByPair $script:Connections { param($c) Get-PairKey $c.ClientAddress $c.ClientPort $c.ServerAddress $c.ServerPort } 'FirstTimestamp'
        $script:StreamsByPair = Group-ByPair $script:Streams { param($s) Get-PairKey $s.ClientAddress $s.ClientPort $s.ServerAddress $s.ServerPort } 'FirstTimestamp'
        $script:ConversationsByPair = Group-ByPair $script:Conversations { param($v) Get-PairKey $v.AddressA $v.PortA $v.AddressB $v.PortB } 'RelativeStartSeconds'

        # Generator connection records by client port; a port used twice cannot be told apart and is left out.
        $script:PlanByPort = @{}
        foreach ($g in @($script:Generated.details | Where-Object port | Group-Object port)) {
            if ($g.Count -eq 1) { $script:PlanByPort[[int]$g.Name] = $g.Group[0] }
        }
    }

    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }

    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    Context 'the traffic and the capture the test relies on' {
        It 'the capture lost no packets' {
            $CaptureResult.PacketsDroppedByKernel | Should -Be 0
            $CaptureResult.PacketsCaptured | Should -Be $CaptureResult.PacketsReceivedByFilter
        }

        It 'the generator made every connection as planned' {
            $Generated.errors | Should -Be 0 -Because ($Generated.error_samples -join '; ')
            $Generated.connections | Should -Be $Traffic.Connections
            $Generated.resets | Should -Be ([math]::Round($Traffic.Connections * $Traffic.ResetFraction))
            $Generated.cutoffs | Should -Be ([math]::Round($Traffic.Connections * $Traffic.CutoffFraction))
            $Generated.responses_ok | Should -Be $Generated.requests_sent
        }

        It 'tshark sees one connection per generated connection, with its handshake' {
            $Streams.Count | Should -Be $Traffic.Connections
            @($Streams | Where-Object { -not ($_.SynSeen -and $_.SynAckSeen) }).Count | Should -Be 0
        }

        It 'tshark sees the cut-off connections unfinished: no FIN and no RST' {
            $cutPorts = @($Generated.details | Where-Object outcome -EQ 'cutoff' | ForEach-Object port)
            $finished = @($Streams | Where-Object { $_.ClientPort -in $cutPorts -and ($_.ClientFin -or $_.ServerFin -or $_.ClientReset -or $_.ServerReset) })
            $finished.Count | Should -Be 0 -Because 'the capture must stop while the generator holds them open'
        }
    }

    Context 'connections' {
        It 'emits objects with the documented property types' {
            $Connections.Count | Should -BeGreaterThan 0
            $c = $Connections[0]
            $c.ClientAddress | Should -BeOfType [System.Net.IPAddress]
            $c.ServerAddress | Should -BeOfType [System.Net.IPAddress]
            $c.ClientPort | Should -BeOfType [int]
            $c.ServerPort | Should -BeOfType [int]
            $c.FirstTimestamp | Should -BeOfType [datetime]
            $c.LastTimestamp | Should -BeOfType [datetime]
            $c.Duration | Should -BeOfType [timespan]
            foreach ($name in 'ClientPackets', 'ServerPackets', 'ClientBytes', 'ServerBytes', 'ClientFrameBytes', 'ServerFrameBytes') {
                $c.$name | Should -BeOfType [long] -Because "$name is a count"
            }
            foreach ($name in 'SynSeen', 'SynAckSeen', 'HandshakeSeen') {
                $c.$name | Should -BeOfType [bool] -Because "$name is a flag"
            }
            "$($c.Close)" | Should -BeIn @('None', 'HalfClosed', 'Fin', 'Reset')
        }

        It 'finds the same connections as tshark conv,tcp (by unordered endpoint pair)' {
            $ours = @($ConnectionsByPair.Keys | ForEach-Object { "$_ x$($ConnectionsByPair[$_].Count)" } | Sort-Object)
            $theirs = @($ConversationsByPair.Keys | ForEach-Object { "$_ x$($ConversationsByPair[$_].Count)" } | Sort-Object)
            $missingHere = @($theirs | Where-Object { $_ -notin $ours })
            $extraHere = @($ours | Where-Object { $_ -notin $theirs })
            $missingHere | Should -BeNullOrEmpty -Because 'tshark lists these conversations'
            $extraHere | Should -BeNullOrEmpty -Because 'tshark does not list these conversations'
            $Connections.Count | Should -Be $Conversations.Count
        }

        It 'puts the client that sent the SYN on the client side' {
            foreach ($c in $Connections) {
                $c.ClientAddress | Should -Be $ClientAddress -Because (Format-Connection $c)
                $c.ServerAddress | Should -Be $ServerAddress -Because (Format-Connection $c)
                $c.ServerPort | Should -Be $ServerPort -Because (Format-Connection $c)
            }
        }

        It 'counts the same frames in each direction as tshark conv,tcp' {
            $wrong = foreach ($key in $ConnectionsByPair.Keys) {
                $ours = $ConnectionsByPair[$key]; $theirs = $ConversationsByPair[$key]
                for ($i = 0; $i -lt $ours.Count; $i++) {
                    $c = $ours[$i]; $v = $theirs[$i]
                    $clientIsA = $v.AddressA.Equals($c.ClientAddress) -and $v.PortA -eq $c.ClientPort
                    $fromClient = if ($clientIsA) { $v.FramesAToB } else { $v.FramesBToA }
                    $fromServer = if ($clientIsA) { $v.FramesBToA } else { $v.FramesAToB }
                    if ($c.ClientPackets -ne $fromClient -or $c.ServerPackets -ne $fromServer) {
                        "$(Format-Connection $c): client $($c.ClientPackets) vs tshark $fromClient, server $($c.ServerPackets) vs tshark $fromServer"
                    }
                }
            }
            $wrong | Should -BeNullOrEmpty
        }

        It 'counts the same frame bytes in each direction as tshark conv,tcp' {
            # conv,tcp prints 10 kB and more truncated to whole kB, hence a range; the per-frame sums
            # of frame.len (the same quantity, unrounded) must match exactly.
            $wrong = foreach ($key in $ConnectionsByPair.Keys) {
                $ours = $ConnectionsByPair[$key]; $theirs = $ConversationsByPair[$key]; $exact = $StreamsByPair[$key]
                for ($i = 0; $i -lt $ours.Count; $i++) {
                    $c = $ours[$i]; $v = $theirs[$i]; $s = $exact[$i]
                    $clientIsA = $v.AddressA.Equals($c.ClientAddress) -and $v.PortA -eq $c.ClientPort
                    $cMin = if ($clientIsA) { $v.BytesAToBMin } else { $v.BytesBToAMin }
                    $cMax = if ($clientIsA) { $v.BytesAToBMax } else { $v.BytesBToAMax }
                    $sMin = if ($clientIsA) { $v.BytesBToAMin } else { $v.BytesAToBMin }
                    $sMax = if ($clientIsA) { $v.BytesBToAMax } else { $v.BytesAToBMax }
                    if ($c.ClientFrameBytes -lt $cMin -or $c.ClientFrameBytes -gt $cMax -or $c.ClientFrameBytes -ne $s.ClientFrameBytes -or
                        $c.ServerFrameBytes -lt $sMin -or $c.ServerFrameBytes -gt $sMax -or $c.ServerFrameBytes -ne $s.ServerFrameBytes) {
                        "$(Format-Connection $c): client $($c.ClientFrameBytes) vs tshark $($s.ClientFrameBytes) (conv $cMin..$cMax), server $($c.ServerFrameBytes) vs tshark $($s.ServerFrameBytes) (conv $sMin..$sMax)"
                    }
                }
            }
            $wrong | Should -BeNullOrEmpty
        }

        It 'counts the same TCP payload bytes in each direction as tshark tcp.len' {
            $wrong = foreach ($key in $ConnectionsByPair.Keys) {
                $ours = $ConnectionsByPair[$key]; $exact = $StreamsByPair[$key]
                for ($i = 0; $i -lt $ours.Count; $i++) {
                    $c = $ours[$i]; $s = $exact[$i]
                    if ($c.ClientBytes -ne $s.ClientBytes -or $c.ServerBytes -ne $s.ServerBytes) {
                        "$(Format-Connection $c): client $($c.ClientBytes) vs tshark $($s.ClientBytes), server $($c.ServerBytes) vs tshark $($s.ServerBytes)"
                    }
                }
            }
            $wrong | Should -BeNullOrEmpty
        }

        It 'gives the UTC times of the first and last packet, and their difference as Duration' {
            $wrong = foreach ($key in $ConnectionsByPair.Keys) {
                $ours = $ConnectionsByPair[$key]; $exact = $StreamsByPair[$key]
                for ($i = 0; $i -lt $ours.Count; $i++) {
                    $c = $ours[$i]; $s = $exact[$i]
                    if ($c.FirstTimestamp.Kind -ne 'Utc' -or $c.LastTimestamp.Kind -ne 'Utc' -or
                        $c.FirstTimestamp -ne $s.FirstTimestamp -or $c.LastTimestamp -ne $s.LastTimestamp -or
                        $c.Duration -ne ($c.LastTimestamp - $c.FirstTimestamp)) {
                        "$(Format-Connection $c): $($c.FirstTimestamp.ToString('o'))..$($c.LastTimestamp.ToString('o')) ($($c.Duration)) vs tshark $($s.FirstTimestamp.ToString('o'))..$($s.LastTimestamp.ToString('o'))"
                    }
                }
            }
            $wrong | Should -BeNullOrEmpty
        }

        It 'sees the handshake of every connection, since the capture started before the traffic' {
            $incomplete = @($Connections | Where-Object { -not ($_.SynSeen -and $_.SynAckSeen -and $_.HandshakeSeen) } | ForEach-Object { Format-Connection $_ })
            $incomplete | Should -BeNullOrEmpty
        }
    }

    Context 'how connections ended' {
        It 'reports Close=Reset for exactly the connections the generator reset' {
            # Those whose RST the capture holds (all of them, when nothing was dropped).
            $resetPorts = @($Generated.details | Where-Object outcome -EQ 'reset' | ForEach-Object { [int]$_.port })
            $seenReset = @($Streams | Where-Object { $_.ClientReset -and $_.ClientPort -in $resetPorts } | ForEach-Object ClientPort | Sort-Object)
            $reportedReset = @($Connections | Where-Object { "$($_.Close)" -eq 'Reset' } | ForEach-Object ClientPort | Sort-Object)
            $reportedReset | Should -Be $seenReset
            $reportedReset.Count | Should -Be $Generated.resets
        }

        It 'reports Close=None for the connections still open when the capture stopped' {
            $wrong = foreach ($c in $Connections) {
                $plan = $PlanByPort[[int]$c.ClientPort]
                if ($plan -and $plan.outcome -eq 'cutoff' -and "$($c.Close)" -ne 'None') { "$(Format-Connection $c): $($c.Close)" }
            }
            $wrong | Should -BeNullOrEmpty
            @($Connections | Where-Object { "$($_.Close)" -eq 'None' }).Count | Should -Be $Generated.cutoffs
        }

        It 'reports Close=Fin for the connections both sides closed with FIN' {
            $wrong = foreach ($c in $Connections) {
                $plan = $PlanByPort[[int]$c.ClientPort]
                if ($plan -and $plan.outcome -eq 'close' -and "$($c.Close)" -ne 'Fin') { "$(Format-Connection $c): $($c.Close)" }
            }
            $wrong | Should -BeNullOrEmpty
        }
    }
}
