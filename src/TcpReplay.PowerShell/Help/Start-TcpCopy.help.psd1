@{
    Synopsis    = 'Copies live client traffic of a port from the online host to a target, through an intercept; or replays the client side of capture files (-Path) the same way.'
    Description = @'
Start-TcpCopy runs on the online host. It captures the packets that clients send to the online port, rewrites each client connection to come from a fake client address, and plays it against the real target: its own handshake, the client's segments with the target's acknowledgment numbers, retransmission, pacing and close. The target's answers go to the fake addresses, which the target routes via the assistant (Set-TargetRoute), where Start-Intercept captures them and reports them back over a TCP channel.

It returns a TcpCopySession, a PowerShell job whose figures are live: client packets seen, packets sent, connections opened, completed and failed by reason, responses, retransmissions, capture gaps and an estimate of capture loss, the capture layer in use and why. Get-TcpCopyConnection lists every connection with the reason it ended (Completed, CopierReset and ClientReset are normal ends).

Capture: -CaptureMode Auto (the default) probes whether the IP layer sees the port's traffic and falls back to libpcap at the datalink when it does not (a service published by DNAT, as Docker publishes container ports, is forwarded and never reaches a raw socket); the session says which layer it uses and why.

Metrics: every session publishes its counters on the .NET Meter "TcpReplay" (dotnet-counters monitor --counters TcpReplay -n <pwsh pid> reads them); -MetricsEndpoint also serves them in Prometheus text format over HTTP until the session stops. A bad endpoint stops the start with ErrorId InvalidMetricsEndpoint, MetricsEndpointInUse, MetricsEndpointAddressNotAvailable, MetricsEndpointDependencyConflict or MetricsEndpointFailed. docs/metrics.md lists every instrument.

Start order does not matter: a copier started before its intercept keeps trying with backoff, and copies the connections opened once an intercept is up; the others end with reason InterceptUnavailable.

Offline replay (-Path, -LiteralPath, or files piped from Get-ChildItem): the client side of every connection in pcap or pcapng files is played against the target through the same copy engine, and the target's answers come back through the intercept exactly as in a live copy (so Set-TargetRoute and Start-Intercept are set up the same way). -Transfer names which server port of the capture goes to which target: '80-198.18.0.30:8080' replays the connections to port 80 in the capture to 198.18.0.30:8080. Several files are played one after the other on one timeline (each file's first client packet follows the previous file's last), as for the pieces of a 'tcpdump -C' capture.

Which connections: a connection (client address and port toward a server port; a SYN with a new sequence number starts a new one) is replayed when its first client packet in the capture is toward a -Transfer port, lies in the time window [-From, -To) and matches the BPF -Filter (tcpdump's syntax, evaluated by libpcap). The whole connection is then replayed, also its packets after -To. -From and -To take an absolute capture time (a DateTime or a date text) or an offset from the first client packet of the files (a TimeSpan, '00:00:30', or seconds).

Pace: with -Pacing Causal (the default) or Timeline every client packet goes at its capture time divided by -Speed (1 = the capture's pace, 2 = twice as fast, 0.5 = half speed), counted from the first replayed packet. Strictly: no packet of a connection goes before the previous one of that connection (data waits for the copier's handshake with the target), and a connection's close (FIN or RST, or a client WebSocket Close frame) goes no earlier after that connection's first packet than in the capture (divided by -Speed, plus 1 ms), even when earlier packets went late; the copy engine then holds the close until the target has finished answering (silent for -DrainTimeoutSeconds, or closed). -Speed Max drops the timeline: each connection goes as fast as its handshake and the target allow, in its own order; only the holds apply (the close, and with Causal a reaction until the target's answer). -Pacing WaitResponse also works offline: a request goes once the target has answered the previous one, but never earlier than its time on the timeline. The waits sleep until 200 us before each deadline and spin after, so an idle replay costs almost no CPU (the replay and copy engine threads run at nice -10 when the process may raise them: root or CAP_SYS_NICE); the session's ReplayProgress says how late packets went (SendLatenessP50, P99, Max).

-Loop N plays the capture N times on one continuous timeline; every play after the first moves each client port (1024-65535) by a fixed shift, so the target sees new connections. Checksums are recomputed (a capture taken on the sending host holds partial checksums). The replay ends by itself (the job's state becomes Completed) once every connection has ended, or when the target has been quiet for the drain time plus a second after the last packet: copies the capture never closed are then reset at the target (reason Stopped). Wait-TcpCopy shows the progress: capture time played of the total, connections done and started of the total.

A damaged capture (truncated, or corrupt at some offset) is replayed up to the damage: a non-terminating error (CaptureFileTruncated, CaptureFileCorrupt, NotACaptureFile, CaptureFileUnsupportedVersion; CaptureFileUnreadable for an I/O error) names the file, the byte offset and the records read, the session's FileProblems keeps it, and the other files and connections are replayed whole.

Memory and isolation: a live copy or an offline replay runs its engine in a small process of its own, TcpReplay.CopierHost (compiled ahead of time by make module; else TcpReplay.CopierHost.dll, run by the dotnet host that runs this PowerShell). No PowerShell and no JIT in it: 8 MiB idle, 22 MiB at its peak under the lab's wrk load of 27,000 requests/s with RawSocket capture, 46 MiB with Pcap and its 16 MiB ring (docs/benchmarks.md; C tcpcopy: 52-87 MB). The shell's JIT and garbage collection stay off the copy's threads, and a crash of the copy cannot end the shell: the session's state becomes Failed with ErrorId EngineProcessEnded and the reason, and its last figures stay. The process pushes its figures four times a second and the session keeps the latest, so reading or formatting a session never waits on the process, even one that has stopped answering; connection records are fetched on demand (up to 10 s, after which a silent process is killed). EngineProcessId names the process, which stops its copy when this PowerShell exits; Ctrl+C while it starts gives the start up and kills it. A host that cannot start gives ErrorId EngineProcessFailed; a host from another build of the module gives CopierHostVersionMismatch, naming both protocol versions; capture errors keep their own ErrorIds. The environment variable TCPREPLAY_COPIER_HOST names another host to run. When the module has no host to start (no host file, or no dotnet host for the assembly), a warning says so and the copy runs inside this PowerShell, as with -InProcess.

Errors (ErrorId): InvalidCaptureFilter (libpcap refused -Filter), NoCaptureFile (no path named a file), PathNotFound, InvalidTransfer, InvalidFakeClientAddress, InvalidInterceptServer, NotPermitted (not root / no CAP_NET_RAW), LibPcapNotFound, InterfaceNotFound, FakeAddressInTargetSubnet and FakeAddressInOnlineSubnet (a fake network that real hosts may own; -Force overrides and then each fake address that answers ARP is named in a warning).
'@
    Parameters  = @{
        Transfer            = "What to copy, tcpcopy style: '[onlineIP:]port-targetIP:targetPort', for example '8080-198.18.0.30:8080'. Several transfers, or one string with commas."
        OnlinePort          = 'Structured form of -Transfer: the online port to copy.'
        TargetAddress       = 'Structured form of -Transfer: the target IPv4 address.'
        TargetPort          = 'Structured form of -Transfer: the target port (default: the online port).'
        InterceptServer     = 'The assistant(s) running Start-Intercept: an IPv4 address, optionally with the channel port (default 36524).'
        FakeClientAddress   = 'Fake client addresses or networks (CIDR), for example 198.19.0.0/24. The target must route them via the assistant. A client address always maps to the same fake address; the client port is kept.'
        CaptureMode         = 'Auto (default: probe the IP layer, fall back to libpcap), RawSocket (IP layer) or Pcap (libpcap on -Interface). RawSocket hands packets to the engine at most 1 ms late; Pcap at most 10 ms late (libpcap retires a 256 KiB block of its ring at the latest 10 ms after it opened it, so a 16 MiB ring holds at least 0.64 s of backlog while the engine is behind, more when the blocks fill).'
        Interface           = 'Interface for datalink capture and -SendMode Pcap; "any" (default) captures on all.'
        CaptureBufferMiB    = 'Live copy: the client capture''s kernel buffer in MiB (1-2048): libpcap''s ring with -CaptureMode Pcap (or Auto, which opens it for its probe), the raw socket''s receive buffer with RawSocket. It holds the backlog while the copy engine is behind. Not given: a 16 MiB ring (tcpcopy''s -B default), which held the lab''s wrk load of 27,000 requests/s with no capture gap, and a 64 MiB receive buffer, which costs only the packets it holds. libpcap''s ring is mapped into the copier, so all of it counts in the copier''s memory from the start. Raise it when the session counts CaptureGaps with kernel drops: the engine fell behind by more than the ring holds.'
        SendMode            = 'RawSocket (default: raw IPv4 with the header included) or Pcap (injection at the datalink on -Interface).'
        Pacing              = 'Causal (the default, live and offline), Timeline or WaitResponse. Causal: client data goes on the client''s own timeline (offline: at its capture time divided by -Speed) and never waits for answers the target gives differently, except data the client sent because of an answer (its acknowledgment number shows new server data, acknowledged no more than 100 ms before, after a silence longer than twice its own recent rhythm), which waits until the target has answered what came before it, at most -ResponseWaitTimeoutSeconds; a WebSocket Close frame is held like the TCP close; HTTP/1.x requests never wait. Right for streaming services (WebSocket speech recognition: audio frames keep their pace, the Close after the final waits for the target''s final) and it keeps up under load. Timeline: no data waits, only the close is held. WaitResponse (as tcpcopy): each new request goes once the target has answered the previous one; for protocols that break on pipelined requests; it lags under heavy load and stalls on answers that differ. The session counts the holds (AnswerHolds, AnswerHeldMax, AnswerHeldAverage, AnswerWaitTimeouts). See docs/pacing.md.'
        ResponseWaitTimeoutSeconds = 'The longest wait for the target''s answer before held client data goes anyway (default 3): a reaction with Causal pacing, the next request with WaitResponse. Each time it runs out is counted (AnswerWaitTimeouts; Statistics.ResponseWaitTimeouts for WaitResponse): many of them mean the target answers differently from the online server, long holds without them a slow target.'
        IdleTimeoutSeconds  = 'A connection silent both ways this long ends with reason Timeout (default 120).'
        DrainTimeoutSeconds = 'How long a close is held for a target still answering, and how long a half-closed target may stay open (default 3).'
        MaxConnections      = 'Size of the connection table; when full, the longest idle connection ends with reason Evicted (counted).'
        Nice                = 'Live copy: the Linux nice value (-20..19) of the copy engine and capture threads; 0 (the default) leaves them at the process''s. On a host whose cores are saturated, a copier at the default priority gets a fair share and no more, and may fall seconds behind the online traffic: its capture then waits and the kernel''s capture buffer holds the backlog (the session''s BacklogWaitTime), so the copies come late but are not dropped. -Nice -5 kept the copy delay in milliseconds in the lab (docs/benchmarks.md), at the expense of the other processes, the online service included: weigh that on a production host. A negative value needs root or CAP_SYS_NICE (error NiceNotPermitted otherwise). An offline replay raises its own threads to -10 when it may.'
        InProcess           = 'Run the copy engine (a live copy''s or a replay''s) inside this PowerShell instead of in its own process (see Memory and isolation above). For debugging, or where no child process may be started; the copy then shares the shell''s memory (about 130 MiB before any traffic) and cores.'
        CompareResponses    = 'Also capture the online server''s answers (the other direction on this host, with libpcap) and compare them with the target''s, request by request: response time percentiles (OnlineResponseTimeP50 ... TargetResponseTimeMax), size and HTTP status code mismatches, connections the target never answered. Asks the intercepts for 128 payload bytes unless -ResponsePayload says otherwise.'
        ResponsePayload     = 'Ask the intercepts for the first N bytes (1 to 1024) of each target answer, to read HTTP/1.x status codes; 0 does not ask. The intercept must be started with -ResponsePayload; a C intercept ignores the request and the copy goes on without status codes.'
        Name                = 'A name for the session (job).'
        Force               = 'Start even when a fake network overlaps the online or target subnet.'
        Path                = 'Offline replay: pcap or pcapng files to replay, wildcards allowed; strings from the pipeline bind here. Several files are played one after the other on one timeline.'
        LiteralPath         = 'Offline replay: capture files taken exactly as written (no wildcards); files piped from Get-ChildItem bind here.'
        Filter              = "Offline replay: a BPF filter in tcpdump's syntax (pcap-filter(7)); a connection is replayed when it matches the connection's first client packet, for example 'src net 198.18.0.0/24'. A filter libpcap refuses stops the command with ErrorId InvalidCaptureFilter."
        From                = "Offline replay: replay only connections whose first client packet is at or after this: a capture time (DateTime) or an offset from the files' first client packet (TimeSpan, '00:00:30', or seconds). The timeline starts at the first replayed packet."
        To                  = 'Offline replay: replay only connections whose first client packet is before this (a capture time or an offset, as -From). Those connections are replayed whole.'
        Speed               = 'Offline replay: the timeline speed factor (1 default, 0.5, 2, 10, ...), or Max: no timeline, each connection as fast as its handshake and the target allow.'
        Loop                = 'Offline replay: play the capture this many times (default 1), each play after the first with fresh client ports so the target sees new connections.'
        Wait                = 'Block with a live progress view (rates and counts, refreshed about once a second) until the copy stops, then emit the final session. Ctrl+C stops the copy.'
        DurationSeconds     = 'With -Wait: stop the copy after this many seconds, then emit the final session. Without -Wait it is an error (DurationWithoutWait).'
        MetricsEndpoint     = 'Serve the session''s metrics in Prometheus text format at this http URL, for example http://198.18.0.20:9464/ (scraped at /metrics; a URL with a path is served at that path; http://0.0.0.0:9464/ listens on every address). Opt-in; the port is released when the session stops.'
    }
    Inputs      = @{ 'System.String' = 'Capture file paths for -Path.'; 'System.IO.FileInfo' = 'Capture files from Get-ChildItem, bound to -LiteralPath by PSPath.' }
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
            Title   = 'See the copier process''s footprint'
            Code    = @'
$s = Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24
Get-Process -Id $s.EngineProcessId | Select-Object Id, @{ n = 'MiB'; e = { [math]::Round($_.WorkingSet64 / 1MB) } }
'@
            Remarks = 'The copy runs in TcpReplay.CopierHost; the session mirrors its figures, and Stop-TcpCopy ends the process. With -InProcess, EngineProcessId is null.'
        }
        @{
            Title   = 'Copy a streaming service to a slower target'
            Code    = "Start-TcpCopy -Transfer '9000-198.18.0.30:9000' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -ResponseWaitTimeoutSeconds 5 -DrainTimeoutSeconds 5"
            Remarks = 'With the default Causal pacing, audio frames go as the client sent them, never waiting for partial results the target gives differently; the WebSocket Close the client sends after the final result waits (up to 5 s) until the target has sent its own final, and the TCP close until the target has finished. AnswerHolds, AnswerHeldMax and AnswerWaitTimeouts on the session say how often and how long data waited, and how often the bound ran out.'
        }
        @{
            Title   = 'Replay a capture to a target at its own pace, and wait with progress'
            Code    = @'
$r = Start-TcpCopy -Path ./capture.pcap -Transfer '80-198.18.0.30:80' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24
$r | Wait-TcpCopy
$r.ReplayProgress
'@
            Remarks = 'The client side of every connection to port 80 in the capture goes to 198.18.0.30:80 on the capture''s timeline; the job completes at the end, and ReplayProgress gives the totals and how late packets went (p50, p99).'
        }
        @{
            Title   = 'Replay rotated captures ten times faster, one client only, the first minute'
            Code    = "Get-ChildItem ./captures/*.pcap | Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Speed 10 -Filter 'src host 198.18.0.10' -To '00:01:00'"
            Remarks = 'The files play one after another on one timeline; connections starting in the first minute from 198.18.0.10 are replayed.'
        }
        @{
            Title   = 'Replay as fast as the target allows, three times over'
            Code    = "Start-TcpCopy -Path ./capture.pcapng -Transfer '80-198.18.0.30:80' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Speed Max -Loop 3 | Wait-TcpCopy"
            Remarks = 'Each play after the first uses fresh client ports, so the target sees three times as many connections.'
        }
        @{
            Title   = 'Copy for five minutes with a live view, then report'
            Code    = "Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Wait -DurationSeconds 300 | Export-ReplayReport -Path ./copy.html"
            Remarks = 'The progress bar shows client packets, sent packets and connections per second; the final session goes on to the report.'
        }
        @{
            Title   = 'Serve the copy''s metrics to Prometheus and read them'
            Code    = @'
$s = Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -MetricsEndpoint http://198.18.0.20:9464/
(Invoke-WebRequest http://198.18.0.20:9464/metrics).Content -split "`n" | Select-String '^tcpreplay_copy_(client_packets|connections)_total'
Stop-TcpCopy $s
'@
            Remarks = 'Prints the client packet counter and the ended connections by close reason, each labelled with the session name; Stop-TcpCopy closes the endpoint.'
        }
    )
    Notes       = 'Needs root or CAP_NET_RAW. Compatible on the wire with intercept 1.x (see docs/protocol.md). The copy runs inside pwsh, so the .NET runtime settings pwsh starts with apply to it: started with DOTNET_TieredCompilation=0, the copier used less CPU per request under load and an offline replay kept its timeline more closely, for a slower pwsh start (README, docs/benchmarks.md).'
    Links       = @('Start-Intercept', 'Set-TargetRoute', 'Get-TcpCopyConnection', 'Stop-TcpCopy', 'Wait-TcpCopy', 'Get-PcapConnection')
}
