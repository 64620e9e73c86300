@{
    Synopsis    = 'Copies live client traffic of a port from the online host to a target, through an intercept.'
    Description = @'
Start-TcpCopy runs on the online host. It captures the packets that clients send to the online port, rewrites each client connection to come from a fake client address, and plays it against the real target: its own handshake, the client's segments with the target's acknowledgment numbers, retransmission, pacing and close. The target's answers go to the fake addresses, which the target routes via the assistant (Set-TargetRoute), where Start-Intercept captures them and reports them back over a TCP channel.

It returns a TcpCopySession, a PowerShell job whose figures are live: client packets seen, packets sent, connections opened, completed and failed by reason, responses, retransmissions, capture gaps and an estimate of capture loss, the capture layer in use and why. Get-TcpCopyConnection lists every connection with the reason it ended (Completed, CopierReset and ClientReset are normal ends).

Capture: -CaptureMode Auto (the default) probes whether the IP layer sees the port's traffic and falls back to libpcap at the datalink when it does not (a service published by DNAT, as Docker publishes container ports, is forwarded and never reaches a raw socket); the session says which layer it uses and why.

Start order does not matter: a copier started before its intercept keeps trying with backoff, and copies the connections opened once an intercept is up; the others end with reason InterceptUnavailable.

Errors (ErrorId): InvalidTransfer, InvalidFakeClientAddress, InvalidInterceptServer, NotPermitted (not root / no CAP_NET_RAW), LibPcapNotFound, InterfaceNotFound, FakeAddressInTargetSubnet and FakeAddressInOnlineSubnet (a fake network that real hosts may own; -Force overrides and then each fake address that answers ARP is named in a warning).
'@
    Parameters  = @{
        Transfer            = "What to copy, tcpcopy style: '[onlineIP:]port-targetIP:targetPort', for example '8080-198.18.0.30:8080'. Several transfers, or one string with commas."
        OnlinePort          = 'Structured form of -Transfer: the online port to copy.'
        TargetAddress       = 'Structured form of -Transfer: the target IPv4 address.'
        TargetPort          = 'Structured form of -Transfer: the target port (default: the online port).'
        InterceptServer     = 'The assistant(s) running Start-Intercept: an IPv4 address, optionally with the channel port (default 36524).'
        FakeClientAddress   = 'Fake client addresses or networks (CIDR), for example 198.19.0.0/24. The target must route them via the assistant. A client address always maps to the same fake address; the client port is kept.'
        CaptureMode         = 'Auto (default: probe the IP layer, fall back to libpcap), RawSocket (IP layer) or Pcap (libpcap on -Interface).'
        Interface           = 'Interface for datalink capture and -SendMode Pcap; "any" (default) captures on all.'
        SendMode            = 'RawSocket (default: raw IPv4 with the header included) or Pcap (injection at the datalink on -Interface).'
        Pacing              = 'WaitResponse (default: each new request goes once the target has answered the previous one; for request/response services) or Timeline (client segments go at once on the client''s timeline, only the close is held until the target has finished answering; for streaming and non-idempotent services such as WebSocket speech recognition).'
        IdleTimeoutSeconds  = 'A connection silent both ways this long ends with reason Timeout (default 120).'
        DrainTimeoutSeconds = 'How long a close is held for a target still answering, and how long a half-closed target may stay open (default 3).'
        MaxConnections      = 'Size of the connection table; when full, the longest idle connection ends with reason Evicted (counted).'
        CompareResponses    = 'Also capture the online server''s answers (the other direction on this host, with libpcap) and compare them with the target''s, request by request: response time percentiles (OnlineResponseTimeP50 ... TargetResponseTimeMax), size and HTTP status code mismatches, connections the target never answered. Asks the intercepts for 128 payload bytes unless -ResponsePayload says otherwise.'
        ResponsePayload     = 'Ask the intercepts for the first N bytes (1 to 1024) of each target answer, to read HTTP/1.x status codes; 0 does not ask. The intercept must be started with -ResponsePayload; a C intercept ignores the request and the copy goes on without status codes.'
        Name                = 'A name for the session (job).'
        Force               = 'Start even when a fake network overlaps the online or target subnet.'
    }
    Inputs      = @{ 'None' = 'Start-TcpCopy takes no pipeline input.' }
    Outputs     = @{ 'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'The running copy, with live statistics.' }
    Examples    = @(
        @{
            Title   = 'Copy port 8080 to a target through one intercept'
            Code    = @'
$s = Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24
$s
'@
            Remarks = 'Shows the session: capture layer, connections, completed and failed counts, updated live.'
        }
        @{
            Title   = 'See why connections failed, then stop'
            Code    = @'
$s | Get-TcpCopyConnection -Failed | Group-Object CloseReason, HandshakeFailure
Stop-TcpCopy $s
'@
            Remarks = 'Every connection that did not end normally carries a reason and, in CloseDetail, what to fix.'
        }
        @{
            Title   = 'Compare the target''s answers with the online server''s'
            Code    = @'
$s = Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -CompareResponses
$s | Format-List OnlineResponseTimeP50, TargetResponseTimeP50, TargetResponseTimeP99, StatusMismatches, SizeMismatches, TargetSilentConnections
'@
            Remarks = 'The intercept must run with -ResponsePayload for status codes. Get-TcpCopyConnection shows the same figures per connection.'
        }
        @{
            Title   = 'Copy a streaming service on the client''s timeline'
            Code    = "Start-TcpCopy -Transfer '9000-198.18.0.30:9000' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Pacing Timeline -DrainTimeoutSeconds 5"
            Remarks = 'Client frames go as they were sent; each close waits until the target has sent its final answer.'
        }
    )
    Notes       = 'Needs root or CAP_NET_RAW. Compatible on the wire with intercept 1.x (see docs/protocol.md).'
    Links       = @('Start-Intercept', 'Set-TargetRoute', 'Get-TcpCopyConnection', 'Stop-TcpCopy')
}
