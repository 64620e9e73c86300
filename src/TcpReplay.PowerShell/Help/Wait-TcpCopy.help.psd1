@{
    Synopsis    = 'Waits for copies with a live progress display, then emits them.'
    Description = 'Wait-TcpCopy blocks until the sessions stop or the timeout passes, refreshing a progress record about once a second with connections, completed and failed counts; for an offline replay (Start-TcpCopy -Path) a second bar shows the capture time played of the total and the connections done and started of the total, and the wait ends when the replay completes. Ctrl+C ends the wait at once (the copies go on). It then emits the sessions.'
    Parameters  = @{
        Session        = 'Sessions to wait for; accepts pipeline input.'
        TimeoutSeconds = 'Longest wait in seconds. Without it the wait lasts until the copies stop.'
    }
    Inputs      = @{ 'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'Sessions to wait for.' }
    Outputs     = @{ 'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'The sessions, after the wait.' }
    Examples    = @(
        @{ Title = 'Watch a copy for a minute'; Code = '$s | Wait-TcpCopy -TimeoutSeconds 60'; Remarks = 'Shows live progress, then the session.' }
        @{ Title = 'Wait, then report failures'; Code = '$s | Wait-TcpCopy -TimeoutSeconds 30 | Get-TcpCopyConnection -Failed'; Remarks = 'The session goes on down the pipeline.' }
    )
    Links       = @('Start-TcpCopy', 'Get-TcpCopyConnection')
}
