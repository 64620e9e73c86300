@{
    RootModule             = 'TcpReplay.PowerShell.dll'
    NestedModules          = @('TcpReplay.Deployment.psm1')
    ModuleVersion          = '0.2.0'
    GUID                   = '5d0f7c2e-3b61-4c39-9a57-4d1b2f6f8e21'
    Author                 = 'TcpReplay developers'
    CompanyName            = 'TcpReplay developers'
    Copyright              = '(c) 2026 TcpReplay developers. MIT licence (LICENSE in the module folder).'
    Description            = 'Copies live TCP traffic from a production (online) server to a test (target) server, as tcpcopy and intercept do, and replays pcap captures on their timeline: a native-speed C# engine behind cmdlets that explain every failure (a close reason per connection, health checks that name the fix), with statistics, reports and Prometheus metrics, and multi-host set-up over PowerShell remoting. Linux x64 only: raw sockets, libpcap and network namespaces.'
    PowerShellVersion      = '7.4'
    CompatiblePSEditions   = @('Core')
    ProcessorArchitecture  = 'Amd64'
    FormatsToProcess       = @('TcpReplay.Format.ps1xml')
    TypesToProcess         = @('TcpReplay.Types.ps1xml')
    CmdletsToExport        = @(
        'Get-PcapConnection', 'Set-TargetRoute', 'Remove-TargetRoute',
        'Start-TcpCopy', 'Get-TcpCopy', 'Stop-TcpCopy', 'Wait-TcpCopy', 'Get-TcpCopyConnection',
        'Start-Intercept', 'Get-Intercept', 'Stop-Intercept', 'Test-ReplayHealth', 'Export-ReplayReport'
    )
    FunctionsToExport      = @('Install-ReplayModule', 'Start-ReplayDeployment', 'Stop-ReplayDeployment')
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags                     = @('tcpcopy', 'intercept', 'pcap', 'replay', 'traffic', 'testing', 'network', 'websocket', 'Linux', 'PSEdition_Core')
            ReleaseNotes             = '0.2.0: Causal pacing is the default (client data keeps the client''s timeline; only what the client sent because of an answer waits for the target''s answer; a WebSocket Close waits like the TCP close), with answer-hold statistics and -ResponseWaitTimeoutSeconds; checksums computed afresh on hosts with the kernel''s default offloads; DataNotAcknowledged close reason; interoperability with C tcpcopy 1.3 and intercept 1.0; Install-ReplayModule, Start-ReplayDeployment and Stop-ReplayDeployment set up several hosts over PowerShell remoting. 0.1.0: live copy, intercept, offline replay, health checks, reports and metrics.'
            RequireLicenseAcceptance = $false
        }
    }
}
