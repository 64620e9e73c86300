@{
    Synopsis    = 'Captures the target''s answers on the assistant and reports them to the copiers.'
    Description = @'
Start-Intercept runs on the assistant, the host the target routes the fake client network to (Set-TargetRoute). It captures the target's packets to fake clients with libpcap and sends each to the copier that announced the connection, over a TCP channel (port 36524) that is compatible with tcpcopy/intercept 1.x. Several copiers may connect to one intercept, and a copier may use several intercepts.

The assistant must not forward those packets: Start-Intercept refuses to start when net.ipv4.ip_forward is 1 (ErrorId IpForwardingEnabled) unless -Force.

Metrics: the intercept publishes its counters on the .NET Meter "TcpReplay" (tcpreplay.intercept.*, tcpreplay.capture.* with tcpreplay.role=intercept); -MetricsEndpoint serves them in Prometheus text format until Stop-Intercept (errors InvalidMetricsEndpoint, MetricsEndpointInUse, MetricsEndpointAddressNotAvailable, MetricsEndpointDependencyConflict, MetricsEndpointFailed). docs/metrics.md lists every instrument.

Other errors (ErrorId): NotPermitted, LibPcapNotFound, InterfaceNotFound, ChannelPortUnavailable, InvalidCaptureFilter.
'@
    Parameters  = @{
        Interface     = 'The interface facing the target, where its answers arrive.'
        Port          = 'The channel port copiers connect to (default 36524).'
        ListenAddress = 'Address to listen on for copiers (default: all).'
        TargetPort    = 'The target service ports; the capture then takes only packets from them. Without it every TCP packet but the channel''s is considered.'
        Filter        = 'A BPF filter that replaces the default one.'
        ResponsePayload = 'Grant copiers that ask (Start-TcpCopy -ResponsePayload) up to this many bytes (1 to 1024) of the start of each response''s payload, so they can compare HTTP status codes. A TcpReplay extension of the 1.x channel, negotiated per link: copiers that do not ask, such as C tcpcopy, get the usual 64-byte records. 0 (the default) declines.'
        Name          = 'A name for the session (job).'
        Force         = 'Start even though ip_forward is 1.'
        MetricsEndpoint = 'Serve the intercept''s metrics in Prometheus text format at this http URL, for example http://198.18.0.40:9464/ (scraped at /metrics). Opt-in; the port is released by Stop-Intercept.'
    }
    Inputs      = @{ 'None' = 'Start-Intercept takes no pipeline input.' }
    Outputs     = @{ 'TcpReplay.PowerShell.Sessions.InterceptSession' = 'The running intercept with live counters.' }
    Examples    = @(
        @{ Title = 'Intercept on eth0'; Code = '$i = Start-Intercept -Interface eth0'; Remarks = 'Copiers connect to this host on port 36524.' }
        @{ Title = 'Pass the first 128 bytes of each answer'; Code = '$i = Start-Intercept -Interface eth0 -TargetPort 8080 -ResponsePayload 128; $i | Format-List Copiers, PayloadLinks'; Remarks = 'Copiers started with -ResponsePayload read the status codes of the target''s answers.' }
        @{ Title = 'Only the target service''s answers'; Code = '$i = Start-Intercept -Interface eth0 -TargetPort 8080; $i | Format-List Copiers, Routed, Unrouted, Parked'; Remarks = 'Shows how many answers went to copiers.' }
        @{ Title = 'Serve the intercept''s metrics'; Code = '$i = Start-Intercept -Interface eth0 -MetricsEndpoint http://198.18.0.40:9464/; (Invoke-WebRequest http://198.18.0.40:9464/metrics).Content -split "`n" | Select-String ''^tcpreplay_intercept_routed''; Stop-Intercept $i'; Remarks = 'Prints the routed counter in Prometheus text format; Stop-Intercept closes the endpoint.' }
    )
    Links       = @('Start-TcpCopy', 'Set-TargetRoute', 'Stop-Intercept')
}
