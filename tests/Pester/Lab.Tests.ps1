#Requires -Version 7.4
# Tests of the namespace lab helper (tests/Lab/TcpReplayLab.psm1). They build real namespaces, so
# they need root and the lab programs; without them every test is skipped with the reason.
# Run: Invoke-Pester tests/Pester/Lab.Tests.ps1 -Output Detailed

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    Import-Module "$PSScriptRoot/../Lab/TsharkOracle.psm1" -Force

    $script:SkipReason = Get-LabSkipReason

    function Get-PrefixNamespace([string] $Prefix) {
        @(& ip netns list | ForEach-Object { ($_ -split '\s+', 2)[0] } | Where-Object { $_.StartsWith("$Prefix-", [System.StringComparison]::Ordinal) })
    }

    function Test-ProcessAlive([int] $Id) {
        # A zombie has exited; only its parent can reap it.
        $stat = Get-Content -LiteralPath "/proc/$Id/stat" -Raw -ErrorAction Ignore
        $stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -notin 'Z', 'X'
    }

    function New-TestPrefix { 'trlt' + [guid]::NewGuid().ToString('N').Substring(0, 6) }

    function Wait-Until([scriptblock] $Condition, [double] $TimeoutSeconds = 10) {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not (& $Condition)) {
            if ($clock.Elapsed.TotalSeconds -gt $TimeoutSeconds) { throw "Timed out after $TimeoutSeconds s waiting for: $Condition" }
            Start-Sleep -Milliseconds 50
        }
    }
}

Describe 'Test-LabPrerequisite' {
    It 'lists every check with -All and only the missing ones without it' {
        $all = @(Test-LabPrerequisite -All)
        $all.Name | Should -Be @('root', 'ip', 'tcpdump', 'nginx', 'tshark', 'python3', 'curl', 'sysctl', 'ethtool')
        @(Test-LabPrerequisite).Name | Should -Be @($all | Where-Object { -not $_.Available }).Name
    }

    It 'gives a lab test file its skip reason: what the machine misses, and what the file needs besides, or nothing' {
        $missing = @(Test-LabPrerequisite)
        $reason = Get-LabSkipReason -Also @('sshd (apt openssh-server)', [pscustomobject]@{ Name = 'tcpreplay'; Detail = 'apt-get install tcpreplay' }, $null)
        $reason | Should -BeLike 'lab prerequisites missing: *'
        $reason | Should -Match 'sshd \(apt openssh-server\); tcpreplay \(apt-get install tcpreplay\)$'
        foreach ($m in $missing) { $reason | Should -Match ([regex]::Escape("$($m.Name) ($($m.Detail))")) }
        Get-LabSkipReason -Also @($null) | Should -Be $(if ($missing) { Get-LabSkipReason } else { $null })
    }

    It 'finds the module a lab test runs: TCPREPLAY_MODULE, else the built one' {
        $saved = $env:TCPREPLAY_MODULE
        try {
            $env:TCPREPLAY_MODULE = "$PSScriptRoot/Lab.Tests.ps1"
            Get-LabModulePath | Should -Be (Resolve-Path "$PSScriptRoot/Lab.Tests.ps1").Path
        }
        finally { $env:TCPREPLAY_MODULE = $saved }
    }
}

Describe 'TcpReplayLab' -Tag 'Lab' {
    BeforeAll {
        $script:lab = $null
        if (-not $script:SkipReason) {
            $script:lab = New-ReplayLab -Hosts client, online, target, assistant
            $script:web = Start-LabNginx $script:lab -HostName online -Port 8080
        }
    }
    AfterAll {
        if ($script:lab) { Remove-ReplayLab $script:lab }
    }
    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    Context 'New-ReplayLab' {
        It 'creates one namespace per host and one for the switch, all named with the lab prefix' {
            $expected = @('client', 'online', 'target', 'assistant', 'sw' | ForEach-Object { "$($lab.Prefix)-$_" })
            Get-PrefixNamespace $lab.Prefix | Sort-Object | Should -Be ($expected | Sort-Object)
        }

        It 'gives each host eth0 with its planned address on a /24 and its planned MAC' {
            $plan = @{ client = '198.18.0.10'; online = '198.18.0.20'; target = '198.18.0.30'; assistant = '198.18.0.40' }
            foreach ($name in $plan.Keys) {
                $lab.Hosts[$name].Address | Should -Be $plan[$name]
                Invoke-LabCommand $lab -HostName $name -Command 'ip -4 -o addr show dev eth0' |
                    Should -Match "inet $([regex]::Escape($plan[$name]))/24 "
                Invoke-LabCommand $lab -HostName $name -Command 'cat /sys/class/net/eth0/address' |
                    Should -Be $lab.Hosts[$name].Mac
            }
        }

        It 'leaves IP forwarding off and IPv6 disabled in every host namespace' {
            foreach ($name in $lab.Hosts.Keys) {
                Invoke-LabCommand $lab -HostName $name -Command 'sysctl -n net.ipv4.ip_forward net.ipv6.conf.eth0.disable_ipv6' |
                    Should -Be @('0', '1')
            }
        }

        It 'creates no interface in the root namespace' {
            # A veth whose peer lives in a lab namespace would show "link-netns <prefix>-..." here.
            (& ip -o link show) -join "`n" | Should -Not -Match ([regex]::Escape("$($lab.Prefix)-"))
        }

        It 'lets the client fetch the online nginx by address' {
            Invoke-LabCommand $lab -HostName client -Command "curl -sS --max-time 5 $($web.Url)/" | Should -Be 'ok'
        }

        It 'lets the target reach the assistant' {
            Invoke-LabCommand $lab -HostName target -Command 'ping -c 1 -W 2 198.18.0.40' -Raw | Should -Match '1 received'
        }

        It 'refuses a prefix whose namespaces already exist' {
            { New-ReplayLab -Prefix $lab.Prefix -Hosts client } | Should -Throw '*already exist*'
        }
    }

    Context 'Start-LabNginx and Get-LabAccessLog' {
        It 'records the client address and port of each request in the access log' {
            $port = Invoke-LabCommand $lab -HostName client -Command "curl -sS --max-time 5 -o /dev/null -w '%{local_port}' $($web.Url)/?probe=port"
            $entry = Get-LabAccessLog -Path $web.AccessLogPath | Where-Object Target -EQ '/?probe=port'
            $entry.RemoteAddress | Should -Be ([System.Net.IPAddress]::Parse('198.18.0.10'))
            $entry.RemotePort | Should -Be ([int]$port)
            $entry.Status | Should -Be 200
            $entry.Time.Kind | Should -Be 'Utc'
        }

        It 'serves the 4 KiB and 64 KiB static files' {
            Invoke-LabCommand $lab -HostName client -Command "curl -sS --max-time 5 -o /dev/null -w '%{size_download}' $($web.Url)/static/4k.bin" | Should -Be '4096'
            Invoke-LabCommand $lab -HostName client -Command "curl -sS --max-time 5 -o /dev/null -w '%{size_download}' $($web.Url)/static/64k.bin" | Should -Be '65536'
        }

        It 'refuses a listen address outside 198.18.0.0/15' {
            { Start-LabNginx $lab -HostName target -Port 8081 -Address '10.0.0.1' } | Should -Throw '*outside 198.18.0.0/15*'
        }
    }

    Context 'Invoke-LabCommand' {
        It 'returns standard output as lines' {
            Invoke-LabCommand $lab -HostName client -Command 'printf "a\nb\n"' | Should -Be @('a', 'b')
        }

        It 'throws with the exit code and standard error when the command fails' {
            { Invoke-LabCommand $lab -HostName client -Command 'echo broken-thing >&2; exit 3' } |
                Should -Throw '*exited with code 3*broken-thing*'
        }

        It 'returns the output without throwing when -IgnoreExitCode is given' {
            Invoke-LabCommand $lab -HostName client -Command 'echo partial; exit 4' -IgnoreExitCode | Should -Be 'partial'
        }

        It 'kills a command that outlives -TimeoutSeconds' {
            { Invoke-LabCommand $lab -HostName client -Command 'sleep 30' -TimeoutSeconds 1 } | Should -Throw '*did not finish within 1 s*'
        }

        It 'names the hosts the lab has when asked for one it lacks' {
            { Invoke-LabCommand $lab -HostName bystander -Command 'true' } | Should -Throw '*no host ''bystander''*client*'
        }
    }

    Context 'Start-LabProcess and Stop-LabProcess' {
        It 'records the PID of the program itself, inside the host namespace' {
            $p = Start-LabProcess $lab -HostName assistant -FilePath sleep -ArgumentList 60
            try {
                $lab.Processes.Id | Should -Contain $p.Id
                Wait-Until { (Get-Content "/proc/$($p.Id)/comm" -ErrorAction Ignore) -eq 'sleep' }
                (& ip netns identify $p.Id) | Should -Be $lab.Hosts.assistant.Namespace
            }
            finally { Stop-LabProcess $lab -Id $p.Id }
        }

        It 'writes standard output and standard error to the files given' {
            $out = Join-Path $lab.TempDirectory 'echo.out'
            $err = Join-Path $lab.TempDirectory 'echo.err'
            $p = Start-LabProcess $lab -HostName client -FilePath bash -ArgumentList '-c', 'echo to-out; echo to-err >&2' -StandardOutput $out -StandardError $err
            $p.Process.WaitForExit(10000) | Should -BeTrue
            Get-Content $out | Should -Be 'to-out'
            Get-Content $err | Should -Be 'to-err'
        }

        It 'stops a process with SIGTERM' {
            $p = Start-LabProcess $lab -HostName client -FilePath sleep -ArgumentList 60
            Stop-LabProcess $lab -Id $p.Id
            $p.Process.HasExited | Should -BeTrue
            $p.Process.ExitCode | Should -Be (128 + 15)
        }

        It 'kills a process that ignores SIGTERM once the timeout has passed' {
            $p = Start-LabProcess $lab -HostName client -FilePath bash -ArgumentList '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
            Wait-Until { (Get-Content $p.StandardOutput -ErrorAction Ignore) -eq 'ready' }
            Stop-LabProcess $lab -Id $p.Id -TimeoutSeconds 1
            $p.Process.HasExited | Should -BeTrue
            $p.Process.ExitCode | Should -Be (128 + 9)
        }

        It 'refuses to signal a PID the lab did not start' {
            { Stop-LabProcess $lab -Id 1 } | Should -Throw '*not started by lab*'
        }
    }

    Context 'Start-LabCapture and Stop-LabCapture' {
        BeforeAll {
            $script:capture = $null
            if (-not $script:SkipReason) {
                $pcap = Join-Path $lab.TempDirectory 'curl.pcap'
                $cap = Start-LabCapture $lab -HostName online -Path $pcap -Filter 'tcp port 8080'
                $script:curlPort = [int](Invoke-LabCommand $lab -HostName client -Command "curl -sS --max-time 5 -o /dev/null -w '%{local_port}' $($web.Url)/static/4k.bin")
                $script:capture = Stop-LabCapture $lab $cap
            }
        }

        It 'captures a request made after it returns, with nothing dropped' {
            $capture.PacketsCaptured | Should -BeGreaterThan 0
            $capture.PacketsDroppedByKernel | Should -Be 0
            $capture.PacketsCaptured | Should -Be $capture.PacketsReceivedByFilter
        }

        It 'writes a complete connection: handshake, data both ways and both FINs' {
            $stream = @(Get-TsharkTcpStream $capture.Path)
            $stream.Count | Should -Be 1
            $stream[0].ClientAddress | Should -Be ([System.Net.IPAddress]::Parse('198.18.0.10'))
            $stream[0].ClientPort | Should -Be $curlPort
            $stream[0].ServerPort | Should -Be 8080
            $stream[0].SynSeen | Should -BeTrue
            $stream[0].SynAckSeen | Should -BeTrue
            $stream[0].ServerBytes | Should -BeGreaterThan 4096
            $stream[0].ClientFin | Should -BeTrue
            $stream[0].ServerFin | Should -BeTrue
        }

        It 'is read the same way by the conv,tcp parser and by the per-frame sums' {
            $stream = Get-TsharkTcpStream $capture.Path
            $conv = @(Get-TsharkTcpConversation $capture.Path)
            $conv.Count | Should -Be 1
            # tshark put the client first here; "->" is A to B.
            "$($conv[0].AddressA):$($conv[0].PortA)" | Should -Be "198.18.0.10:$curlPort"
            $conv[0].FramesAToB | Should -Be $stream.ClientPackets
            $conv[0].FramesBToA | Should -Be $stream.ServerPackets
            $stream.ClientFrameBytes | Should -BeGreaterOrEqual $conv[0].BytesAToBMin
            $stream.ClientFrameBytes | Should -BeLessOrEqual $conv[0].BytesAToBMax
            $stream.ServerFrameBytes | Should -BeGreaterOrEqual $conv[0].BytesBToAMin
            $stream.ServerFrameBytes | Should -BeLessOrEqual $conv[0].BytesBToAMax
        }

        It 'keeps the kernel''s offloads by default: the sender''s capture holds a segment beyond the MTU (GSO) with a partial checksum' {
            $max = (& tshark -n -r $capture.Path -T fields -e frame.len 2>$null | ForEach-Object { [int]$_ } | Measure-Object -Maximum).Maximum
            $max | Should -BeGreaterThan 1514
            (Measure-LabChecksum -Path $capture.Path -Filter 'src port 8080').Incorrect | Should -BeGreaterThan 0
        }

        It 'turns TSO, GSO, GRO and TX checksum offload off with -DisableOffloads' {
            $clean = New-ReplayLab -Hosts client -DisableOffloads
            try {
                $clean.Offloads | Should -Be 'Off'
                $features = Invoke-LabCommand $clean -HostName client -Command 'ethtool -k eth0' -Raw
                foreach ($name in 'tcp-segmentation-offload', 'generic-segmentation-offload', 'generic-receive-offload', 'tx-checksumming') {
                    $features | Should -Match "(?m)^$name`: off"
                }
            }
            finally { Remove-ReplayLab $clean }
        }

        It 'fails with tcpdump''s message for an interface the host lacks' {
            { Start-LabCapture $lab -HostName online -Interface nosuch0 -Path (Join-Path $lab.TempDirectory 'x.pcap') } |
                Should -Throw '*tcpdump on online nosuch0 exited*'
        }
    }
}

Describe 'Remove-ReplayLab' -Tag 'Lab' {
    BeforeEach {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason }
    }

    It 'deletes every namespace, stops every process and removes the temporary directory' {
        $lab = New-ReplayLab -Hosts client, online
        try {
            $null = Start-LabNginx $lab -HostName online
            $null = Start-LabProcess $lab -HostName client -FilePath sleep -ArgumentList 300
            # nginx's worker was not started by the lab: it is found through `ip netns pids`.
            $inside = @(& ip netns pids $lab.Hosts.online.Namespace) + @(& ip netns pids $lab.Hosts.client.Namespace)
            $inside.Count | Should -BeGreaterOrEqual 3
        }
        finally { Remove-ReplayLab $lab }

        Get-PrefixNamespace $lab.Prefix | Should -BeNullOrEmpty
        foreach ($id in @($lab.Processes.Id) + $inside) { Test-ProcessAlive $id | Should -BeFalse -Because "PID $id belonged to the lab" }
        Test-Path -LiteralPath $lab.TempDirectory | Should -BeFalse
        $lab.Removed | Should -BeTrue
    }

    It 'kills a process started inside the lab by a command rather than by Start-LabProcess' {
        $lab = New-ReplayLab -Hosts client
        try {
            $orphan = [int](Invoke-LabCommand $lab -HostName client -Command 'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!')
            Test-ProcessAlive $orphan | Should -BeTrue
        }
        finally { Remove-ReplayLab $lab }
        Wait-Until { -not (Test-ProcessAlive $orphan) }
        Get-PrefixNamespace $lab.Prefix | Should -BeNullOrEmpty
    }

    It 'can be called again on a removed lab without error' {
        $lab = New-ReplayLab -Hosts client
        Remove-ReplayLab $lab
        { Remove-ReplayLab $lab -ErrorAction Stop } | Should -Not -Throw
        Get-PrefixNamespace $lab.Prefix | Should -BeNullOrEmpty
    }

    It 'leaves nothing behind when the body of try/finally throws' {
        $state = @{}
        {
            try {
                $state.Lab = New-ReplayLab -Hosts client, online
                $state.Sleeper = Start-LabProcess $state.Lab -HostName online -FilePath sleep -ArgumentList 300
                throw 'test body failed'
            }
            finally { Remove-ReplayLab $state.Lab }
        } | Should -Throw 'test body failed'
        $state.Lab | Should -Not -BeNullOrEmpty
        Get-PrefixNamespace $state.Lab.Prefix | Should -BeNullOrEmpty
        Test-ProcessAlive $state.Sleeper.Id | Should -BeFalse
    }

    It 'removes what was already built when building fails halfway, and rethrows' {
        $prefix = New-TestPrefix
        # The last step of New-ReplayLab checks ip_forward; make it fail after every namespace exists.
        Mock -ModuleName TcpReplayLab Read-LabSysctl { '1' }
        { New-ReplayLab -Prefix $prefix -Hosts client, online } | Should -Throw "*lab '$prefix' failed*ip_forward*"
        Get-PrefixNamespace $prefix | Should -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path ([System.IO.Path]::GetTempPath()) "tcpreplay-lab-$prefix") | Should -BeFalse
    }

    It 'cleans up by prefix after the lab object was lost' {
        $lab = New-ReplayLab -Hosts client
        $p = Start-LabProcess $lab -HostName client -FilePath sleep -ArgumentList 300
        Remove-ReplayLab -Prefix $lab.Prefix
        Get-PrefixNamespace $lab.Prefix | Should -BeNullOrEmpty
        Test-ProcessAlive $p.Id | Should -BeFalse
        Test-Path -LiteralPath $lab.TempDirectory | Should -BeFalse
    }
}
