@{
    Synopsis    = 'Lists the copies started in this PowerShell session.'
    Description = 'Get-TcpCopy returns the TcpCopySession objects that Start-TcpCopy started in this process, running or stopped. They are jobs too: Get-Job lists them with PSJobTypeName TcpCopy.'
    Parameters  = @{
        Name = 'Session names to return; wildcards are allowed.'
        Id   = 'Job ids of the sessions to return.'
    }
    Inputs      = @{ 'None' = 'Get-TcpCopy takes no pipeline input.' }
    Outputs     = @{ 'TcpReplay.PowerShell.Sessions.TcpCopySession' = 'The sessions.' }
    Examples    = @(
        @{ Title = 'List every copy'; Code = 'Get-TcpCopy'; Remarks = 'One row per copy with its state and counts.' }
        @{ Title = 'Stop every running copy'; Code = "Get-TcpCopy | Where-Object State -eq 'Running' | Stop-TcpCopy"; Remarks = 'Sessions go down the pipeline to Stop-TcpCopy.' }
    )
    Links       = @('Start-TcpCopy', 'Stop-TcpCopy')
}
