@{
    Synopsis    = 'Removes the routes Set-TargetRoute made for fake client networks.'
    Description = @'
Remove-TargetRoute deletes, for each fake client network, its route through a gateway in the main routing table: through the given assistant, or with no -Assistant through any gateway. Routes without a gateway, such as the kernel's routes to directly connected networks, are never removed, so a mistyped network cannot cut the host off its own segment.

It is idempotent: when no route matches it reports Absent and runs nothing. When the network has several routes through gateways (different metrics), one call removes the one the kernel uses (the lowest metric), named exactly with its gateway, interface and metric.

-WhatIf is always honoured and needs no privileges. Deleting needs root or CAP_NET_ADMIN (error NotPermitted).

Errors, by ErrorId: InvalidFakeClientNetwork (not an IPv4 network in CIDR form, or host bits set; the other networks are still processed), NotPermitted, RouteCommandFailed (ip failed; the message is ip's own).
'@
    Parameters  = @{
        FakeClientNetwork = 'The fake client networks whose routes to remove, in CIDR form such as 198.19.0.0/16. Accepts strings from the pipeline, and the FakeClientNetwork property of piped objects (RouteInfo from Set-TargetRoute).'
        Assistant         = 'Remove only a route via this IPv4 address. Without it, the route through any gateway is removed. Bound from the Assistant property of piped objects.'
    }
    Inputs      = @{
        'System.String[]'                = 'Fake client networks in CIDR form.'
        'TcpReplay.PowerShell.RouteInfo' = 'The output of Set-TargetRoute, bound by its FakeClientNetwork and Assistant properties.'
    }
    Outputs     = @{
        'TcpReplay.PowerShell.RouteInfo' = 'One per network: FakeClientNetwork, Assistant and Device of the route removed, Change (Removed or Absent), Command (the ip command that ran), and the route before (Previous) and after (Current).'
    }
    Examples    = @(
        @{
            Title   = 'Remove the route to the assistant'
            Code    = 'Remove-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40'
            Remarks = 'Run on the target (198.18.0.30 in the lab). Reports Change Removed and the command "ip route del 198.19.0.0/16 via 198.18.0.40 dev <interface> metric 0"; a second run reports Absent.'
        }
        @{
            Title   = 'Undo exactly what Set-TargetRoute did'
            Code    = @'
$routes = Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40
# ... copy traffic with Start-TcpCopy ...
$routes | Remove-TargetRoute
'@
            Remarks = 'The RouteInfo objects bind by their FakeClientNetwork and Assistant properties, so only the routes via that assistant are removed.'
        }
        @{
            Title   = 'Preview the removal'
            Code    = 'Remove-TargetRoute -FakeClientNetwork 198.19.0.0/16 -WhatIf'
            Remarks = 'Prints the ip route del command that would run, and changes nothing.'
        }
    )
    Notes       = 'Linux only; needs iproute2.'
    Links       = @('Set-TargetRoute', 'Start-Intercept')
}
