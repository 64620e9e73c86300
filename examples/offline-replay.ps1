#Requires -Version 7.4
<#
.SYNOPSIS
    Offline replay across four hosts in network namespaces: capture real HTTP traffic, then replay its client side
    to a target with Start-TcpCopy -Path, on the capture's timeline.
.DESCRIPTION
    Builds a four-host lab (198.18.0.0/15 only): client .10, online .20 and target .30 (nginx on both),
    assistant .40. Each role runs in its own pwsh inside its host's namespace, as on separate machines:
      online:    tcpdump -w capture.pcap 'tcp port 8080' while paced clients talk to nginx
      target:    Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40
      assistant: Start-Intercept -Interface eth0
      online:    Start-TcpCopy -Path capture.pcap -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40
                               -FakeClientAddress 198.19.0.0/24 -Speed <Speed> | Wait-TcpCopy
    It prints the replay's progress figures (capture time, connections, how late packets went against the
    timeline) and how many requests each nginx served. Everything is removed at the end. Needs root.

    Outside a lab the same commands run on real hosts; only the capture file and the addresses change:
      Start-TcpCopy -Path ./capture.pcap -Transfer '80-10.0.0.30:80' -InterceptServer 10.0.0.40 -FakeClientAddress 198.19.0.0/24
.PARAMETER Speed
    Timeline speed: 1 (the capture's pace), 0.5, 2, 10, ... or Max.
.PARAMETER Loop
    How many times to play the capture (fresh client ports each time).
.EXAMPLE
    sudo pwsh examples/offline-replay.ps1 -Speed 2 -Loop 2
#>
param(
    [string] $Speed = '1',
    [int] $Loop = 1,
    [int] $Connections = 10,
    [int] $Requests = 50,
    [string] $ModulePath = "$PSScriptRoot/../out/TcpReplay/TcpReplay.psd1"
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module "$PSScriptRoot/../tests/Lab/TcpReplayLab.psm1" -Force
Import-Module "$PSScriptRoot/../tests/Lab/LiveCopyLab.psm1" -Force
$client = (Resolve-Path "$PSScriptRoot/../tests/Lab/paced_client.py").Path

$missing = @(Test-LabPrerequisite)
if ($missing) {
    throw "The example needs: $(($missing | ForEach-Object { "$($_.Name) ($($_.Detail))" }) -join '; ')"
}

$lab = New-ReplayLab -Hosts client, online, target, assistant
try {
    $online = Start-LabNginx $lab -HostName online -Port 8080
    $target = Start-LabNginx $lab -HostName target -Port 8080
    $capturePath = Join-Path $lab.TempDirectory 'capture.pcap'

    Write-Host "[online]    tcpdump -w capture.pcap 'tcp port 8080' while $Connections clients send $Requests requests each"
    $capture = Start-LabCapture $lab -HostName online -Path $capturePath -Filter 'tcp port 8080'
    Invoke-LabCommand $lab -HostName client -TimeoutSeconds 120 -Command "python3 '$client' --connections $Connections --requests $Requests --interval-ms 50 --hold-min 0.5 --hold-max 1.5" | Out-Host
    $null = Stop-LabCapture $lab $capture

    Write-Host "[target]    Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40"
    $null = Invoke-LabPwsh $lab -HostName target -Command "Import-Module '$ModulePath'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"
    Write-Host "[assistant] Start-Intercept -Interface eth0"
    $intercept = Start-LabRole $lab -Role Intercept -HostName assistant -ModulePath $ModulePath -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 300 }

    Write-Host "[online]    Start-TcpCopy -Path capture.pcap -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Speed $Speed -Loop $Loop | Wait-TcpCopy"
    $before = @(Get-LabAccessLog -Path $target.AccessLogPath).Count
    Invoke-LabPwsh $lab -HostName online -TimeoutSeconds 300 -Command @"
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
`$s = Start-TcpCopy -Path '$capturePath' -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Speed $Speed -Loop $Loop
`$null = `$s | Wait-TcpCopy
'Replay progress:'
`$s.ReplayProgress | Format-List | Out-String
'How the replayed connections ended:'
`$s | Get-TcpCopyConnection | Group-Object CloseReason -NoElement | Format-Table Count, Name -AutoSize | Out-String
`$s | Stop-TcpCopy
"@ | Out-Host
    $null = Stop-LabRole $lab $intercept

    $served = @(Get-LabAccessLog -Path $target.AccessLogPath).Count - $before
    Write-Host ("Requests served: online {0}, target {1} (the capture played {2} time(s))." -f @(Get-LabAccessLog -Path $online.AccessLogPath).Count, $served, $Loop)
}
finally {
    Remove-ReplayLab $lab
}
