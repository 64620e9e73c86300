@{
    Synopsis    = 'Lists the connections a copy played against the target, with why each ended.'
    Description = @'
Get-TcpCopyConnection emits one CopiedConnection per client connection a copy has seen: the client and online endpoints, the fake client endpoint and the target, start and end times, packets and bytes each way, requests, retransmissions, handshake RTT, and CloseReason with CloseDetail in words.

Normal ends: Completed (FIN both ways), CopierReset (the copier released the target's socket after the client closed: a normal fast release, not an error) and ClientReset (the real client reset its connection). Other reasons: TargetReset, HandshakeFailed (with HandshakeFailure: TargetRefused, BystanderReset, NoResponseAtAll, NoSynAck), Timeout, DataNotAcknowledged (the handshake completed but the target acknowledged none of the data: its kernel dropped the segments, for bad checksums, segments beyond the path MTU or a firewall; CloseDetail names them), CaptureGap, Evicted, InterceptUnavailable, Stopped.
'@
    Parameters  = @{
        Session     = 'Sessions whose connections to list; accepts pipeline input.'
        CloseReason = 'Only connections that ended for these reasons.'
        Failed      = 'Only connections that ended abnormally.'
        Open        = 'Only connections still open.'
    }
    Inputs      = @{ 'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'Sessions.' }
    Outputs     = @{ 'TcpReplay.Engine.Connections.CopiedConnection' = 'One record per copied connection.' }
    Examples    = @(
        @{ Title = 'Count connections by how they ended'; Code = '$s | Get-TcpCopyConnection | Group-Object CloseReason -NoElement'; Remarks = 'Completed and CopierReset are normal ends.' }
        @{ Title = 'Export the failures with their explanations'; Code = '$s | Get-TcpCopyConnection -Failed | Select-Object Client, FakeClient, CloseReason, HandshakeFailure, CloseDetail | Export-Csv failures.csv'; Remarks = 'Each row says what went wrong and what fixes it.' }
    )
    Links       = @('Start-TcpCopy')
}
