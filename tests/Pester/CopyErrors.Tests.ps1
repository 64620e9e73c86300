#Requires -Version 7.4
# Start-TcpCopy and Start-Intercept refuse bad set-ups with one ErrorId per cause and the fix in
# RecommendedAction, before they touch the network. Each case that needs a host runs in a namespace of its own.

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    $script:ModulePath = (Resolve-Path $(if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" })).Path
    Import-Module $script:ModulePath -Force
    $script:CopyId = 'TcpReplay.PowerShell.Cmdlets.StartTcpCopyCommand'
    $script:InterceptId = 'TcpReplay.PowerShell.Cmdlets.StartInterceptCommand'
    $script:Pwsh = Join-Path $PSHOME 'pwsh'

    # Runs a command in a fresh pwsh inside a new namespace (eth0 198.18.0.20/24 on a veth), and returns the
    # error id and the recommended action it caught. Extra set-up runs in the namespace first.
    function Invoke-InNamespace([string] $Command, [string[]] $Setup = @(), [string[]] $Prefix = @()) {
        $ns = 'trc{0:x8}' -f (Get-Random -Maximum ([int]::MaxValue))
        ip netns add $ns
        try {
            ip -n $ns link set lo up
            ip -n $ns link add eth0 type veth peer name eth0p
            ip -n $ns addr add 198.18.0.20/24 dev eth0
            ip -n $ns link set eth0p up
            ip -n $ns link set eth0 up
            foreach ($line in $Setup) { ip netns exec $ns bash -c $line | Out-Null }
            $script = "Import-Module '$($script:ModulePath)'; `$ErrorActionPreference = 'Stop'; try { $Command; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.ErrorDetails.RecommendedAction; `$_.Exception.Message }"
            $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
            $arguments = @('netns', 'exec', $ns) + $Prefix + @($script:Pwsh, '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
            & ip @arguments
        }
        finally {
            ip netns del $ns
        }
    }
}

Describe 'Start-TcpCopy' {
    Context 'Transfer parameter set' {
        It 'rejects the transfer <Transfer> with InvalidTransfer' -ForEach @(
            @{ Transfer = '8080' }
            @{ Transfer = '8080-198.18.0.30' }
            @{ Transfer = '99999-198.18.0.30:8080' }
            @{ Transfer = '8080-nowhere:8080' }
        ) {
            { Start-TcpCopy -Transfer $Transfer -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 } |
                Should -Throw -ErrorId "InvalidTransfer,$script:CopyId"
        }

        It 'names the expected form in the fix' {
            $record = { Start-TcpCopy -Transfer 'x' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 } | Should -Throw -PassThru
            $record.ErrorDetails.RecommendedAction | Should -Match "8080-198.18.0.30:8080"
        }

        It 'rejects a fake client address that is no IPv4 network with InvalidFakeClientAddress' {
            { Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 'fake' } |
                Should -Throw -ErrorId "InvalidFakeClientAddress,$script:CopyId"
        }

        It 'rejects an intercept that is no address with InvalidInterceptServer' {
            { Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 'assistant!' -FakeClientAddress 198.19.0.0/24 } |
                Should -Throw -ErrorId "InvalidInterceptServer,$script:CopyId"
        }
    }

    Context 'Host checks' -Skip:(-not $script:IsRoot) {
        It 'stops with NotPermitted without CAP_NET_RAW' {
            $output = Invoke-InNamespace -Prefix 'setpriv', '--inh-caps=-net_raw,-net_admin', '--bounding-set=-net_raw,-net_admin' -Command (
                "Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24")
            $output[0] | Should -Be "NotPermitted,$script:CopyId"
            $output[1] | Should -Match 'CAP_NET_RAW|root'
        }

        It 'stops with NiceNotPermitted for a negative -Nice without CAP_SYS_NICE, naming the fixes' {
            $output = Invoke-InNamespace -Prefix 'setpriv', '--inh-caps=-sys_nice', '--bounding-set=-sys_nice' -Command (
                "Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Nice -5")
            $output[0] | Should -Be "NiceNotPermitted,$script:CopyId"
            $output[1] | Should -Match 'CAP_SYS_NICE'
        }

        It 'stops with InterfaceNotFound for an unknown interface, listing the real ones' {
            $output = Invoke-InNamespace -Command "Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Interface nope0"
            $output[0] | Should -Be "InterfaceNotFound,$script:CopyId"
            $output[1] | Should -Match 'eth0'
        }

        It 'refuses a fake network on the target''s own segment with FakeAddressInTargetSubnet' {
            $output = Invoke-InNamespace -Command "Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.18.0.128/25 -Interface eth0"
            $output[0] | Should -Be "FakeAddressInTargetSubnet,$script:CopyId"
            $output[1] | Should -Match 'Set-TargetRoute'
            $output[1] | Should -Match '-Force'
        }

        It 'refuses a fake network inside the online host''s own network with FakeAddressInOnlineSubnet' {
            $output = Invoke-InNamespace -Command "Start-TcpCopy -Transfer '8080-198.18.5.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.18.0.128/25 -Interface eth0"
            $output[0] | Should -Be "FakeAddressInOnlineSubnet,$script:CopyId"
        }
    }
}

Describe 'Start-Intercept' -Skip:(-not $script:IsRoot) {
    It 'refuses to run on a host that forwards IP packets, with IpForwardingEnabled and the fix' {
        $output = Invoke-InNamespace -Setup 'sysctl -qw net.ipv4.ip_forward=1' -Command 'Start-Intercept -Interface eth0'
        $output[0] | Should -Be "IpForwardingEnabled,$script:InterceptId"
        $output[1] | Should -Match 'ip_forward=0'
    }

    It 'stops with InterfaceNotFound for an unknown interface' {
        $output = Invoke-InNamespace -Command 'Start-Intercept -Interface nope0'
        $output[0] | Should -Be "InterfaceNotFound,$script:InterceptId"
    }

    It 'starts, serves the channel port and stops within 2 seconds' {
        $output = Invoke-InNamespace -Command "`$i = Start-Intercept -Interface eth0; `$t = [Diagnostics.Stopwatch]::StartNew(); Stop-Intercept `$i; if (`$t.ElapsedMilliseconds -lt 2000) { 'stopped in time' } else { 'slow stop' }; `$i.JobStateInfo.State"
        $output[0] | Should -Be 'stopped in time'
    }
}
