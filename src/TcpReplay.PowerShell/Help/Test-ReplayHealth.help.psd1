@{
    Synopsis    = 'Checks a host for the misconfigurations that break a live copy, and says how to fix each.'
    Description = @'
Test-ReplayHealth runs the checks of the role this host plays in a live copy (Online, Target, Assistant, or All when one host plays several) and emits one HealthCheckResult per check: Name, Role, Status (Pass, Warning, Fail or Skipped), Detail (what was measured) and Remedy (the exact command or setting that fixes it). A failed check is a result, never an error; -Quiet returns only $true (no check failed) or $false. It takes the same parameters as the cmdlets it checks, so the command line of Start-TcpCopy, Start-Intercept or Set-TargetRoute can be reused. Run it on each host, inside the network namespace the role runs in.

Checks on every host:
- Privileges: root, or CAP_NET_RAW (capture and send) and CAP_NET_ADMIN (routes). Catches "Operation not permitted" at start; Fail without CAP_NET_RAW, Warning without CAP_NET_ADMIN.
- LibPcap: libpcap loads, and its version. Catches a datalink capture, the intercept or an ARP probe that cannot start.
- Interface: -Interface exists, is up with a carrier, and its MTU. Catches InterfaceNotFound and a link that is down.
- Offloads: TX checksum offload, GRO, LRO and TSO on -Interface, reported as they are and passed: they are the kernel's defaults on most hosts (every Docker, Kubernetes or libvirt veth and tap) and harmless to the copy. With checksum offload on, captures of the host's own packets hold partial checksums, and the copier computes both checksums of every packet it sends afresh; with GRO, LRO or TSO on, captured packets can be larger than the MTU, and the engine re-segments them to the MTU. Do not turn offloads off on a production host for TcpReplay.
- ClockSync: timedatectl or chronyc says the clock is synchronised. Warning when not, or when unknown; never Fail.

Online (where Start-TcpCopy runs):
- CaptureLayer: a DNAT rule for the online port (iptables-save -t nat, nft list ruleset; every chain, as Docker uses its own) means the traffic is forwarded, never delivered locally, so an IP-layer capture sees none of it. Fail with -CaptureMode RawSocket; the remedy is Pcap or Auto.
- OnlineServiceListening: something listens on the online port (ss -ltn), or a DNAT rule forwards it. Catches a -Transfer naming a port no service uses.
- InterceptReachable: each -InterceptServer accepts a TCP connection, takes the 14-byte hello and keeps the link up. Catches an intercept that is not running, a firewall on port 36524, or another program on that port.
- TargetPortOpen: the target's port accepts a TCP connection. Catches every copied handshake failing with TargetRefused.

Target (the server under test):
- FakeNetworkRoute: the first address of each fake network routes via -Assistant. Catches answers that go to the default gateway, or on-link, instead of the assistant: every copy fails with no SYN-ACK.
- ReversePathFilter: rp_filter on the interface the copies arrive on (-Interface, or the one holding the target address). Strict (1) with the route back to the fake network leaving by another interface, or loose (2) with no route back, drops every copied packet silently.
- FakeAddressUnowned: no fake address is assigned to the target, and none of the first 16 that the target reaches on-link answers ARP. Catches the bystander-RST fault: a real host answers the target's SYN-ACK with RST (HandshakeFailed, BystanderReset).

Assistant (where Start-Intercept runs):
- IpForwarding: net.ipv4.ip_forward is 0. Catches an assistant that forwards the target's answers instead of only capturing them.
- ResponseCapture: the target is on-link on -Interface, so the intercept's filter (tcp src port of the target ports) sees its answers. Catches an intercept capturing on the wrong interface.
- InterceptListening: something listens on -InterceptPort. Warning when not: the check may run before Start-Intercept.

While a copy runs, the session's FailureReasons property (Get-TcpCopy) groups connections that ended abnormally by cause, with a count, an example client and the fix.
'@
    Parameters  = @{
        Role              = 'The roles to check: Online, Target, Assistant, or All (the default) for a host that plays several. Checks every role needs (privileges, libpcap, interface, offloads, clock) run once.'
        Transfer          = 'What is copied, as for Start-TcpCopy: ''[onlineIP:]port-targetIP:targetPort'', several allowed. The online checks use the online port, the target and assistant checks the target address and port.'
        InterceptServer   = 'The intercepts the copier connects to, as for Start-TcpCopy: an IPv4 address, optionally with the port (36524 by default). Checked from the online host with a TCP connect and the protocol''s hello.'
        FakeClientAddress = 'The fake client addresses or networks (CIDR), as for Start-TcpCopy. The target checks look at their routes, the reverse-path filter and who answers ARP for them.'
        Interface         = 'The interface the role uses: the capture interface of Start-TcpCopy or Start-Intercept, or on the target the interface the copies arrive on. Omitted or ''any'': the interface checks are skipped, and the target uses the interface holding the target address.'
        Assistant         = 'The assistant''s IPv4 address, as for Set-TargetRoute: the gateway the target must route the fake networks through.'
        CaptureMode       = 'The capture mode Start-TcpCopy will use (Auto, RawSocket, Pcap). RawSocket fails the CaptureLayer check when the online port is DNATed.'
        InterceptPort     = 'The intercept''s listening port, checked on the assistant. Default 36524.'
        Quiet             = 'Returns only $true when no check failed and $false otherwise, instead of the results (warnings do not count as failures).'
    }
    Inputs      = @{ 'None' = 'Test-ReplayHealth takes no pipeline input.' }
    Outputs     = @{
        'TcpReplay.Engine.Diagnostics.Health.HealthCheckResult' = 'One result per check: Name, Role, Status, Detail, Remedy, Duration.'
        'System.Boolean' = 'With -Quiet: $true when no check failed.'
    }
    Examples    = @(
        @{
            Title   = 'Check the online host with the command line of the copy'
            Code    = "Test-ReplayHealth -Role Online -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Interface eth0 -CaptureMode RawSocket"
            Remarks = 'Shows each check in a table; a Fail line names the fault, and Format-List shows the Remedy of each.'
        }
        @{
            Title   = 'Check the target and show only what must be fixed'
            Code    = "Test-ReplayHealth -Role Target -Transfer '8080-198.18.0.30:8080' -FakeClientAddress 198.19.0.0/24 -Assistant 198.18.0.40 | Where-Object Status -eq 'Fail' | Format-List Name, Detail, Remedy"
            Remarks = 'Each failure comes with the exact command that fixes it, for example Set-TargetRoute -FakeClientNetwork 198.19.0.0/24 -Assistant 198.18.0.40.'
        }
        @{
            Title   = 'Gate a script on the assistant''s health'
            Code    = "if (Test-ReplayHealth -Role Assistant -Transfer '8080-198.18.0.30:8080' -Interface eth0 -Quiet) { Start-Intercept -Interface eth0 }"
            Remarks = '-Quiet returns $true only when no check failed.'
        }
        @{
            Title   = 'Explain the failed connections of a running copy'
            Code    = 'Get-TcpCopy | Select-Object -ExpandProperty FailureReasons | Format-List CloseReason, HandshakeFailure, Count, ExampleClient, Remedy'
            Remarks = 'Turns "many connections cannot be established" into causes: for example HandshakeFailed/BystanderReset with the fake address to change.'
        }
    )
    Notes       = 'The checks run in the network namespace of the calling process; in a namespace lab, start pwsh with ip netns exec <namespace>. The ARP probe needs CAP_NET_RAW; without it FakeAddressUnowned is a Warning.'
    Links       = @('Start-TcpCopy', 'Start-Intercept', 'Set-TargetRoute')
}
