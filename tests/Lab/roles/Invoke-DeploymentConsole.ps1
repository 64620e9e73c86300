#Requires -Version 7.4
<#
.SYNOPSIS
    The console's role in the remoting deployment lab test: opens SSH remoting sessions to the target, assistant and
    online hosts and drives Start-ReplayDeployment / Stop-ReplayDeployment; writes what happened as JSON files.
.DESCRIPTION
    Mode deploy: deploys from the .nupkg, deploys again (must change nothing), writes <Control>/ready.json, waits
    (bounded) for <Control>/stop, stops the deployment, writes the report and <Control>/result.json.
    Mode whatif: Start-ReplayDeployment -WhatIf; writes <Control>/result.json with what it said.
    Mode check: Start-ReplayDeployment expecting a failed check; writes <Control>/result.json with the error.
#>
param(
    [Parameter(Mandatory)] [ValidateSet('deploy', 'whatif', 'check')] [string] $Mode,
    [Parameter(Mandatory)] [string] $Control,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Package,
    [Parameter(Mandatory)] [string] $KeyFile,
    [double] $DeadlineSeconds = 240
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
. "$PSScriptRoot/Publish-RoleFile.ps1"

$options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
$sessions = @{}
$d = $null
try {
    foreach ($h in @(@{ Name = 'target'; Address = '198.18.0.30' }, @{ Name = 'assistant'; Address = '198.18.0.40' }, @{ Name = 'online'; Address = '198.18.0.20' })) {
        $sessions[$h.Name] = New-PSSession -HostName $h.Address -UserName root -KeyFilePath $KeyFile -Options $options
    }
    $deployment = @{
        Target = $sessions.target; Assistant = $sessions.assistant; Online = $sessions.online
        Transfer = '8080-198.18.0.30:8080'; FakeClientAddress = '198.19.0.0/24'; AssistantAddress = '198.18.0.40'
        InterceptInterface = 'eth0'; OnlineInterface = 'eth0'; PackagePath = $Package
    }
    switch ($Mode) {
        'deploy' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $d = Start-ReplayDeployment @deployment
            $deploySeconds = $clock.Elapsed.TotalSeconds
            $again = Start-ReplayDeployment @deployment
            $installed = Invoke-Command -Session @($sessions.Values) -ScriptBlock {
                $m = Get-Module -ListAvailable TcpReplay | Select-Object -First 1
                [pscustomobject]@{ Version = "$($m.Version)"; Base = $m.ModuleBase; Home = $HOME }
            }
            # Watched through remoting: deserialized sessions, which the module's views format as the live ones.
            $watched = @(Invoke-Command -Session $d.Online -ScriptBlock { Get-TcpCopy })
            Publish-File (Join-Path $Control 'ready.json') ([pscustomobject]@{
                    DeploySeconds = $deploySeconds
                    Changes       = @($d.Changes | Select-Object ComputerName, Step, Detail)
                    Again         = @($again.Changes | Select-Object ComputerName, Step, Detail)
                    Checks        = @($d.Checks | Select-Object ComputerName, Role, Check, Status, Detail)
                    Installed     = @($installed | Select-Object PSComputerName, Version, Base, Home)
                    Watched       = @($watched | Select-Object InterceptConnected, CaptureDescription, @{ n = 'TypeName'; e = { $_.PSObject.TypeNames[0] } })
                    WatchedView   = ($watched | Out-String -Width 200)
                } | ConvertTo-Json -Depth 5)
            $clock.Restart()
            while (-not (Test-Path (Join-Path $Control 'stop')) -and $clock.Elapsed.TotalSeconds -lt $DeadlineSeconds) { Start-Sleep -Milliseconds 200 }
            # The copies hold each close until the target has finished answering (the drain time): let the last ones end.
            $clock.Restart()
            while ($clock.Elapsed.TotalSeconds -lt 20 -and (Invoke-Command -Session $d.Online -ScriptBlock { (Get-TcpCopy | Measure-Object OpenConnections -Sum).Sum }) -gt 0) {
                Start-Sleep -Milliseconds 250
            }
            $result = Stop-ReplayDeployment -Deployment $d
            $report = Join-Path $Control 'report.html'
            $result.Connections | Export-ReplayReport -Path $report
            Publish-File (Join-Path $Control 'result.json') ([pscustomobject]@{
                    Steps       = @($result.Steps)
                    Sessions    = @($result.Sessions | Select-Object Connections, Completed, Failed, ClientPackets, SentPackets, CloseReasons)
                    Connections = @($result.Connections).Count
                    Abnormal    = @($result.Connections | Where-Object { -not $_.IsNormalClose } | Select-Object -First 5 Client, CloseReason, CloseDetail)
                    Report      = $report
                    ReportBytes = (Get-Item $report).Length
                } | ConvertTo-Json -Depth 5)
        }
        'whatif' {
            $said = Start-ReplayDeployment @deployment -WhatIf 6>&1 | Out-String
            Publish-File (Join-Path $Control 'result.json') ([pscustomobject]@{ Said = $said } | ConvertTo-Json)
        }
        'check' {
            try {
                $null = Start-ReplayDeployment @deployment
                Publish-File (Join-Path $Control 'result.json') ([pscustomobject]@{ ErrorId = $null; Message = 'the deployment went ahead' } | ConvertTo-Json)
            }
            catch {
                Publish-File (Join-Path $Control 'result.json') ([pscustomobject]@{
                        ErrorId = $_.FullyQualifiedErrorId; Message = $_.Exception.Message; Action = $_.ErrorDetails.RecommendedAction
                    } | ConvertTo-Json)
            }
        }
    }
}
catch {
    # A failure half-way still tears down what was set up, so the lab's next case starts clean.
    if ($d) { try { $null = Stop-ReplayDeployment -Deployment $d } catch { Write-Warning "Stop-ReplayDeployment: $_" } }
    Publish-File (Join-Path $Control 'error.txt') "$($_ | Out-String)`n$($_.ScriptStackTrace)"
    throw
}
finally {
    $sessions.Values | Remove-PSSession -ErrorAction SilentlyContinue
}
