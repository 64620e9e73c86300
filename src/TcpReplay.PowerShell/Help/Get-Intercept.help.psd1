@{
    Synopsis    = 'Lists the intercepts started in this PowerShell session.'
    Description = 'Get-Intercept returns the InterceptSession objects that Start-Intercept started in this process. They are jobs too (PSJobTypeName TcpReplayIntercept).'
    Parameters  = @{ Name = 'Session names to return; wildcards are allowed.' }
    Inputs      = @{ 'None' = 'Get-Intercept takes no pipeline input.' }
    Outputs     = @{ 'TcpReplay.PowerShell.Sessions.InterceptSession' = 'The intercepts.' }
    Examples    = @(
        @{ Title = 'List intercepts'; Code = 'Get-Intercept'; Remarks = 'One row per intercept with copiers and routed counts.' }
        @{ Title = 'Stop all intercepts'; Code = 'Get-Intercept | Stop-Intercept'; Remarks = 'Sessions go down the pipeline.' }
    )
    Links       = @('Start-Intercept')
}
