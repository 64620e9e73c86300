@{
    RootModule           = 'TcpReplay.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f7c2e-3b61-4c39-9a57-4d1b2f6f8e21'
    Author               = 'TcpReplay developers'
    Description          = 'Copies live TCP traffic from an online server to a target server, and replays pcap captures, with explained failures.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('TcpReplay.Format.ps1xml')
    TypesToProcess       = @('TcpReplay.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-PcapConnection', 'Set-TargetRoute', 'Remove-TargetRoute',
        'Start-TcpCopy', 'Get-TcpCopy', 'Stop-TcpCopy', 'Wait-TcpCopy', 'Get-TcpCopyConnection',
        'Start-Intercept', 'Get-Intercept', 'Stop-Intercept', 'Test-ReplayHealth', 'Export-ReplayReport'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{ PSData = @{ Tags = @('tcpcopy', 'pcap', 'replay', 'traffic') } }
}
