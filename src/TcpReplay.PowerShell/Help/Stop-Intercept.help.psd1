@{
    Synopsis    = 'Stops intercepts and releases their capture and channel within 2 seconds.'
    Description = 'Stop-Intercept closes the capture handle and the channel; connected copiers see the link drop and keep retrying, so an intercept restart is survived.'
    Parameters  = @{
        Session  = 'Intercepts to stop; accepts pipeline input.'
        PassThru = 'Emit each stopped session.'
    }
    Inputs      = @{ 'TcpReplay.PowerShell.Sessions.InterceptSession' = 'Intercepts to stop.' }
    Outputs     = @{ 'TcpReplay.PowerShell.Sessions.InterceptSession' = 'With -PassThru, the stopped sessions.' }
    Examples    = @(
        @{ Title = 'Stop one intercept'; Code = 'Stop-Intercept $i'; Remarks = 'The session shows State Stopped.' }
        @{ Title = 'Stop all and show final counts'; Code = 'Get-Intercept | Stop-Intercept -PassThru | Format-List Routed, Unrouted'; Remarks = 'Final counters of each.' }
    )
    Links       = @('Start-Intercept')
}
