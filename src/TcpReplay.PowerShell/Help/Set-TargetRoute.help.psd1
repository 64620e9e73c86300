@{
    Synopsis    = 'Routes fake client networks on the target via the assistant.'
    Description = @'
Set-TargetRoute runs on the target server. The copier sends the target client packets whose source addresses are fake client addresses; the target must send its answers to those addresses to the assistant, which captures them for the copier and never forwards them. Set-TargetRoute adds that route to the main routing table: one route per fake client network, via the assistant's address.

It is idempotent. When the network is already routed via the assistant, it reports Unchanged and runs nothing. When the network is routed elsewhere (another gateway, another interface, a blackhole), it replaces that route with "ip route replace", at the same metric, so the new route is not shadowed by the old one. Otherwise it adds the route with "ip route add". Each RouteInfo it returns names the exact ip command that ran.

The assistant must be on a network this host is directly connected to, since the kernel accepts only such a next hop. Set-TargetRoute checks this before it changes anything, -WhatIf included, and stops with the error AssistantUnreachable, saying whether there is no route to the assistant, it is reached through a router, or it is an address of this host.

-WhatIf is always honoured and needs no privileges: it shows the ip command that would run. Changing the route needs root or CAP_NET_ADMIN (error NotPermitted).

Errors, by ErrorId: InvalidFakeClientNetwork (not an IPv4 network in CIDR form, or host bits set; the other networks are still processed), AssistantUnreachable, NotPermitted, InterfaceNotFound (-Interface names no interface), RouteCommandFailed (ip failed; the message is ip's own).
'@
    Parameters  = @{
        FakeClientNetwork = 'The fake client networks to route, in CIDR form such as 198.19.0.0/16; a bare address is a /32. Host bits must be clear. Accepts strings from the pipeline, and the FakeClientNetwork property of piped objects.'
        Assistant         = 'The IPv4 address of the assistant (the host running Start-Intercept), on a network this host is directly connected to.'
        Interface         = 'The interface the route leaves by. Without it, the interface the kernel reaches the assistant through; with it, the assistant must be directly connected through that interface.'
    }
    Inputs      = @{
        'System.String[]' = 'Fake client networks in CIDR form.'
    }
    Outputs     = @{
        'TcpReplay.PowerShell.RouteInfo' = 'One per network: FakeClientNetwork, Assistant, Device, Change (Added, Replaced or Unchanged), Command (the ip command that ran), and the route before (Previous) and after (Current).'
    }
    Examples    = @(
        @{
            Title   = 'Route the fake client network to the assistant'
            Code    = 'Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40'
            Remarks = 'Run on the target (198.18.0.30 in the lab). The first run reports Change Added and the command "ip route add 198.19.0.0/16 via 198.18.0.40 dev <interface>"; a second run reports Unchanged and runs nothing.'
        }
        @{
            Title   = 'Preview the change without privileges'
            Code    = 'Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -WhatIf'
            Remarks = 'Prints "What if: Performing the operation "Add route via 198.18.0.40 dev <interface> (ip route add ...)" on target "198.19.0.0/16"" and changes nothing. An assistant that is not directly connected is reported here too.'
        }
        @{
            Title   = 'Route several networks, and stop on the first error'
            Code    = @'
try {
    '198.19.0.0/16', '198.20.0.0/16' | Set-TargetRoute -Assistant 198.18.0.40 -ErrorAction Stop
} catch {
    $_.FullyQualifiedErrorId
    $_.ErrorDetails.RecommendedAction
}
'@
            Remarks = 'Networks come from the pipeline. On failure, the ErrorId (such as AssistantUnreachable,TcpReplay.PowerShell.Cmdlets.SetTargetRouteCommand) says which cause, and RecommendedAction what to do.'
        }
    )
    Notes       = 'The route is not persistent: it is lost when the target reboots. The assistant must not forward the answers (net.ipv4.ip_forward=0 on the assistant); Test-ReplayHealth checks it. Linux only; needs iproute2.'
    Links       = @('Remove-TargetRoute', 'Start-Intercept', 'Test-ReplayHealth')
}
