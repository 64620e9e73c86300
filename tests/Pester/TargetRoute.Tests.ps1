# Set-TargetRoute and Remove-TargetRoute without the lab: parameter checks, error ids, and -WhatIf against this
# host's own routing table, which must come out unchanged. The route changes themselves are tested in namespaces by
# tests/Unit (KernelRouteTableLiveTests).

BeforeAll {
    Import-Module $env:TCPREPLAY_MODULE -Force

    $script:setId = 'TcpReplay.PowerShell.Cmdlets.SetTargetRouteCommand'
    $script:removeId = 'TcpReplay.PowerShell.Cmdlets.RemoveTargetRouteCommand'
    # Never routed by anything real: inside the benchmarking range the lab uses (198.18.0.0/15).
    $script:fakeNetwork = '198.19.254.0/24'

    function Get-FakeNetworkRoute {
        ip -j route show exact $script:fakeNetwork | ConvertFrom-Json -NoEnumerate | ForEach-Object { $_ | ConvertTo-Json -Compress }
    }

    # A neighbour on a network this host is directly connected to: a next hop the kernel would accept.
    # Null when the host has no such network (an empty namespace).
    function Get-OnLinkNeighbour {
        $connected = ip -j route show | ConvertFrom-Json |
            Where-Object { -not $_.gateway -and $_.dst -match '^(\d+\.\d+\.\d+\.\d+)/(\d+)$' -and [int]$Matches[2] -le 30 -and $_.prefsrc } |
            Select-Object -First 1
        if (-not $connected) { return $null }
        $bytes = ([ipaddress]($connected.dst -split '/')[0]).GetAddressBytes()
        foreach ($last in 1..254) {
            $bytes[3] = $last
            $candidate = ([ipaddress]$bytes).ToString()
            if ($candidate -ne $connected.prefsrc) { return $candidate }
        }
        return $null
    }

    # The address of no host this machine can reach directly: off every connected network.
    function Get-OffLinkAddress {
        foreach ($candidate in '198.18.255.254', '198.19.255.254') {
            $route = ip -j route get $candidate 2>$null | ConvertFrom-Json
            if (-not $route -or $route[0].gateway) { return $candidate }
        }
        return $null
    }
}

Describe 'Set-TargetRoute' {
    Context 'Command metadata' {
        It 'supports -WhatIf and -Confirm at medium impact' {
            $command = Get-Command Set-TargetRoute
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
                Should -Be ([System.Management.Automation.ConfirmImpact]::Medium)
        }

        It 'declares RouteInfo as its output' {
            (Get-Command Set-TargetRoute).OutputType.Name | Should -Be 'TcpReplay.PowerShell.RouteInfo'
        }

        It 'takes fake client networks from the pipeline' {
            (Get-Command Set-TargetRoute).Parameters['FakeClientNetwork'].Attributes.ValueFromPipeline | Should -Contain $true
        }
    }

    Context 'Invalid fake client networks' {
        It 'rejects <Network> with InvalidFakeClientNetwork' -ForEach @(
            @{ Network = '198.19.0.0/33' }
            @{ Network = 'not-a-network' }
            @{ Network = '198.19.0/16' }
            @{ Network = '2001:db8::/32' }
        ) {
            { Set-TargetRoute -FakeClientNetwork $Network -Assistant 198.18.0.40 -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidFakeClientNetwork,$script:setId"
        }

        It 'rejects a network with host bits set and names the network meant' {
            $err = $null
            Set-TargetRoute -FakeClientNetwork '198.19.7.1/16' -Assistant 198.18.0.40 -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be "InvalidFakeClientNetwork,$script:setId"
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be '198.19.7.1/16'
            $err[0].ErrorDetails.RecommendedAction | Should -Match '198\.19\.0\.0/16'
        }

        It 'reports each bad network and goes on with the next' {
            $err = $null
            'bad-1', '198.19.0.0/40' | Set-TargetRoute -Assistant 198.18.0.40 -ErrorAction SilentlyContinue -ErrorVariable err
            $err | Should -HaveCount 2
            $err.TargetObject | Should -Be @('bad-1', '198.19.0.0/40')
        }
    }

    Context 'Invalid assistant or interface' {
        It 'refuses an IPv6 assistant when binding' {
            { Set-TargetRoute -FakeClientNetwork $script:fakeNetwork -Assistant '2001:db8::40' -ErrorAction Stop } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:setId"
        }

        It 'stops with AssistantUnreachable when the assistant is not directly connected' {
            $offLink = Get-OffLinkAddress
            if (-not $offLink) { Set-ItResult -Skipped -Because 'this host is directly connected to every candidate address'; return }
            $before = Get-FakeNetworkRoute

            { Set-TargetRoute -FakeClientNetwork $script:fakeNetwork -Assistant $offLink -WhatIf -ErrorAction Stop } |
                Should -Throw -ErrorId "AssistantUnreachable,$script:setId"
            Get-FakeNetworkRoute | Should -Be $before
        }

        It 'says how to fix an unreachable assistant' {
            $offLink = Get-OffLinkAddress
            if (-not $offLink) { Set-ItResult -Skipped -Because 'this host is directly connected to every candidate address'; return }

            $record = try { Set-TargetRoute -FakeClientNetwork $script:fakeNetwork -Assistant $offLink -WhatIf -ErrorAction Stop } catch { $_ }

            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.TargetObject | Should -Be ([ipaddress]$offLink)
            $record.ErrorDetails.RecommendedAction | Should -Match 'directly connected'
        }

        It 'stops with InterfaceNotFound for an interface that does not exist' {
            { Set-TargetRoute -FakeClientNetwork $script:fakeNetwork -Assistant 198.18.0.40 -Interface 'trdnosuchif0' -WhatIf -ErrorAction Stop } |
                Should -Throw -ErrorId "InterfaceNotFound,$script:setId"
        }
    }

    Context '-WhatIf' {
        It 'changes no route and returns nothing' {
            $neighbour = Get-OnLinkNeighbour
            if (-not $neighbour) { Set-ItResult -Skipped -Because 'this host has no directly connected IPv4 network'; return }
            $before = Get-FakeNetworkRoute
            if ($before) { Set-ItResult -Skipped -Because "$script:fakeNetwork is already routed here"; return }

            try {
                $result = Set-TargetRoute -FakeClientNetwork $script:fakeNetwork -Assistant $neighbour -WhatIf
                $after = Get-FakeNetworkRoute
            } finally {
                # Should -WhatIf ever be ignored, take the route off this host again before failing.
                if (Get-FakeNetworkRoute) { ip route del $script:fakeNetwork via $neighbour }
            }

            $result | Should -BeNullOrEmpty
            $after | Should -BeNullOrEmpty
        }
    }

    Context 'Without CAP_NET_ADMIN' {
        It 'stops with NotPermitted and changes no route' {
            $pwsh = Join-Path $PSHOME 'pwsh'
            $child = {
                param($Module, $Network, $Assistant)
                Import-Module $Module
                try { Set-TargetRoute -FakeClientNetwork $Network -Assistant $Assistant -Confirm:$false -ErrorAction Stop }
                catch { $_.FullyQualifiedErrorId; $_.ErrorDetails.RecommendedAction }
            }
            $command = "& { $child } '$env:TCPREPLAY_MODULE' '$script:fakeNetwork' "

            if ((id -u) -eq '0') {
                if (-not (Get-Command setpriv -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'dropping CAP_NET_ADMIN as root needs setpriv (util-linux)'; return }
                # Root drops CAP_NET_ADMIN for a child pwsh, in a namespace of its own: should the check fail, the
                # route lands there and not on this host.
                $ns = 'trd{0:x8}' -f (Get-Random -Maximum ([int]::MaxValue))
                ip netns add $ns
                try {
                    ip -n $ns link add trd0 type veth peer name trd0p
                    ip -n $ns addr add 198.18.0.30/24 dev trd0
                    ip -n $ns link set trd0p up
                    ip -n $ns link set trd0 up
                    $output = ip netns exec $ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin $pwsh -NoProfile -NonInteractive -Command ($command + "'198.18.0.40'")
                    $routes = ip -n $ns route show exact $script:fakeNetwork
                } finally {
                    ip netns del $ns
                }
            } else {
                # Another user lacks CAP_NET_ADMIN already, and could not change this host's routes anyway.
                $neighbour = Get-OnLinkNeighbour
                if (-not $neighbour) { Set-ItResult -Skipped -Because 'this host has no directly connected IPv4 network'; return }
                $output = & $pwsh -NoProfile -NonInteractive -Command ($command + "'$neighbour'")
                $routes = Get-FakeNetworkRoute
            }

            $output[0] | Should -Be "NotPermitted,$script:setId"
            $output[1] | Should -Match 'CAP_NET_ADMIN'
            $routes | Should -BeNullOrEmpty
        }
    }
}

Describe 'Remove-TargetRoute' {
    Context 'Invalid fake client networks' {
        It 'rejects <Network> with InvalidFakeClientNetwork' -ForEach @(
            @{ Network = '198.19.0.0/33' }
            @{ Network = '198.19.0.1/16' }
        ) {
            { Remove-TargetRoute -FakeClientNetwork $Network -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidFakeClientNetwork,$script:removeId"
        }

        It 'refuses an IPv6 assistant when binding' {
            { Remove-TargetRoute -FakeClientNetwork $script:fakeNetwork -Assistant '2001:db8::40' -ErrorAction Stop } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:removeId"
        }
    }

    Context 'A network with no route' {
        It 'reports Absent and runs nothing' {
            if (Get-FakeNetworkRoute) { Set-ItResult -Skipped -Because "$script:fakeNetwork is routed here"; return }

            $result = Remove-TargetRoute -FakeClientNetwork $script:fakeNetwork -Assistant 198.18.0.40 -WhatIf

            $result.Change | Should -Be 'Absent'
            $result.FakeClientNetwork.ToString() | Should -Be $script:fakeNetwork
            $result.Assistant | Should -Be ([ipaddress]'198.18.0.40')
            $result.Command | Should -BeNullOrEmpty
        }

        It 'binds the network and assistant of piped objects by property name' {
            if (Get-FakeNetworkRoute) { Set-ItResult -Skipped -Because "$script:fakeNetwork is routed here"; return }

            $result = [pscustomobject]@{ FakeClientNetwork = $script:fakeNetwork; Assistant = '198.18.0.41' } | Remove-TargetRoute

            $result.Change | Should -Be 'Absent'
            $result.Assistant | Should -Be ([ipaddress]'198.18.0.41')
        }
    }
}
