@{
    Synopsis    = 'Stops copies and releases their capture, sockets and threads within 2 seconds.'
    Description = 'Stop-TcpCopy stops the capture, resets every copied connection still open at the target (reason Stopped), closes the intercept links and the raw socket. It returns within 2 seconds whatever the copy was doing. The session keeps its final figures and connection records.'
    Parameters  = @{
        Session  = 'The sessions to stop, from Start-TcpCopy or Get-TcpCopy; accepts pipeline input.'
        PassThru = 'Emit each stopped session.'
    }
    Inputs      = @{ 'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'Sessions to stop.' }
    Outputs     = @{ 'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'With -PassThru, the stopped sessions.' }
    Examples    = @(
        @{ Title = 'Stop one copy'; Code = 'Stop-TcpCopy $s'; Remarks = 'The session shows State Stopped and its final figures.' }
        @{ Title = 'Stop all copies and keep their final figures'; Code = 'Get-TcpCopy | Stop-TcpCopy -PassThru | Format-List'; Remarks = 'Each stopped session is emitted.' }
    )
    Links       = @('Start-TcpCopy')
}
