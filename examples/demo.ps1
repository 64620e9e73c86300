#Requires -Version 7.4
<#
.SYNOPSIS
    The built-in lab demo (make demo): live copy of real HTTP traffic across four hosts in network namespaces.
.DESCRIPTION
    Builds a four-host lab (198.18.0.0/15 only): client .10, online .20 and target .30 (nginx on both),
    assistant .40. Each role runs in its own pwsh inside its host's namespace, as on separate machines:
      target:    Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40
      assistant: Start-Intercept -Interface eth0
      online:    Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24
    The client then sends bounded HTTP traffic to the online host; the demo prints the copy's statistics, how
    every copied connection ended, and how many requests each nginx served. Everything is removed at the end.
#>
param(
    [int] $Connections = 100,
    [int] $RequestsMax = 9,
    [string] $ModulePath = "$PSScriptRoot/../out/TcpReplay/TcpReplay.psd1"
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module "$PSScriptRoot/../tests/Lab/TcpReplayLab.psm1" -Force
Import-Module "$PSScriptRoot/../tests/Lab/LiveCopyLab.psm1" -Force

$missing = @(Test-LabPrerequisite)
if ($missing) {
    throw "The demo needs: $(($missing | ForEach-Object { "$($_.Name) ($($_.Detail))" }) -join '; ')"
}

$lab = New-ReplayLab -Hosts client, online, target, assistant
try {
    Write-Host "Lab '$($lab.Prefix)': client 198.18.0.10, online 198.18.0.20, target 198.18.0.30, assistant 198.18.0.40."
    $online = Start-LabNginx $lab -HostName online -Port 8080
    $target = Start-LabNginx $lab -HostName target -Port 8080

    Write-Host "`n[target]    Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40"
    Invoke-LabPwsh $lab -HostName target -Command "Import-Module '$ModulePath'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Format-Table | Out-String" | Out-Host

    Write-Host "[assistant] Start-Intercept -Interface eth0"
    $intercept = Start-LabRole $lab -Role Intercept -HostName assistant -ModulePath $ModulePath -Wait -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 300 }

    Write-Host "[online]    Start-TcpCopy -Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24"
    # The copy engine runs in a small process of its own (TcpReplay.CopierHost); the session in pwsh mirrors it.
    $copy = Start-LabRole $lab -Role Copy -HostName online -ModulePath $ModulePath -Wait -Parameters @{
        Transfer = '8080-198.18.0.30:8080'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.0.0/24'; Interface = 'eth0'; DeadlineSeconds = 300
    }
    $linked = Wait-LabCopyCondition $copy { param($s) $s.InterceptConnected } -What 'the intercept link'

    Write-Host "`n[client]    $Connections HTTP connections (keep-alive and one-shot mixed) to the online host..."
    $traffic = Invoke-LabHttpTraffic $lab -Connections $Connections -RequestsMax $RequestsMax -Seed 7
    # The copier holds each close until the target has been quiet for the drain time (3 s): stopping sooner would
    # reset those copies (reason Stopped) instead of letting them end as they did online.
    Write-Host '[online]    waiting for the held closes (at most 20 s)...'
    try { $null = Wait-LabCopyCondition $copy { param($s) $s.OpenConnections -eq 0 } -TimeoutSeconds 20 -What 'every copied connection to close' }
    catch { Write-Warning "$_ The copies still open are reset by Stop-TcpCopy (reason Stopped)." }
    $enginePeak = Get-Content "/proc/$($linked.EngineProcessId)/status" -ErrorAction Ignore | Where-Object { $_ -like 'VmHWM:*' }
    $result = Stop-LabRole $lab $copy
    $interceptResult = Stop-LabRole $lab $intercept

    $session = $result.Session
    Write-Host "`nCopy statistics (Start-TcpCopy session):"
    $session | Select-Object CaptureLayer, ClientPackets, SentPackets, Connections, Completed, Failed, Responses, Retransmissions, CaptureGaps, SendErrors |
        Format-List | Out-Host
    Write-Host "Capture layer: $($session.CaptureReason)"
    if ($enginePeak) { Write-Host "Copier process $($linked.EngineProcessId): peak memory $([math]::Round([long](($enginePeak -split '\s+')[1]) / 1024, 1)) MiB." }
    Write-Host "`nHow the copied connections ended (CopierReset is the normal fast release):"
    $result.Connections | Group-Object CloseReason -NoElement | Sort-Object Count -Descending | Format-Table Count, Name -AutoSize | Out-Host
    Write-Host "Intercept: $($interceptResult.Routed) target packets routed to the copier, $($interceptResult.Unrouted) unrouted."

    $onlineRequests = @(Get-LabAccessLog -Path $online.AccessLogPath).Count
    $targetLog = @(Get-LabAccessLog -Path $target.AccessLogPath)
    $fromFake = @($targetLog | Where-Object { "$($_.RemoteAddress)".StartsWith('198.19.') }).Count
    Write-Host ("`nRequests: the client sent {0}, online nginx served {1}, target nginx served {2} (from fake clients: {3}): {4:P1} copied." -f
        $traffic.requests_sent, $onlineRequests, $targetLog.Count, $fromFake, ($(if ($onlineRequests) { $fromFake / $onlineRequests } else { 0 })))
}
finally {
    Remove-ReplayLab $lab
}
