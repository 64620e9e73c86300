#Requires -Version 7.4
<#
.SYNOPSIS
    The built-in lab demo (make demo): real traffic in network namespaces, read back by TcpReplay.
.DESCRIPTION
    Builds a lab of network namespaces (198.18.0.0/15 only), runs nginx on the online host, sends a few hundred
    HTTP connections from the client while tcpdump records the online host's interface, and lists the connections
    with Get-PcapConnection. Everything the demo creates is removed at the end, also on failure.
#>
param(
    [int] $Connections = 200,
    [string] $ModulePath = "$PSScriptRoot/../out/TcpReplay/TcpReplay.psd1"
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
Import-Module "$PSScriptRoot/../tests/Lab/TcpReplayLab.psm1" -Force

$missing = @(Test-LabPrerequisite)
if ($missing) {
    throw "The demo needs: $(($missing | ForEach-Object { "$($_.Name) ($($_.Detail))" }) -join '; ')"
}

$lab = New-ReplayLab -Hosts client, online
try {
    Write-Host "Lab '$($lab.Prefix)': client 198.18.0.10, online 198.18.0.20 (nginx on 8080)."
    $null = Start-LabNginx $lab -HostName online -Port 8080
    $pcap = Join-Path $lab.TempDirectory 'online.pcap'
    $capture = Start-LabCapture $lab -HostName online -Interface eth0 -Path $pcap -Filter 'tcp port 8080'

    Write-Host "Sending $Connections HTTP connections from the client (some end with RST)..."
    $null = Invoke-LabCommand $lab -HostName client -TimeoutSeconds 120 -Command (
        "python3 '$PSScriptRoot/../tests/Lab/http_traffic.py' --server 198.18.0.20 --port 8080 " +
        "--connections $Connections --requests-per-connection-max 4 --reset-fraction 0.1 --cutoff-fraction 0 " +
        "--hold-seconds 0 --seed 7 --deadline 90")
    $counts = Stop-LabCapture $lab $capture
    Write-Host "tcpdump: $($counts | Out-String)".Trim()

    $found = @(Get-PcapConnection -Path $pcap)
    Write-Host "`nGet-PcapConnection found $($found.Count) connections; the first ten:"
    $found | Select-Object -First 10 | Format-Table | Out-Host
    Write-Host 'How they ended:'
    $found | Group-Object Close -NoElement | Sort-Object Count -Descending | Format-Table Count, Name -AutoSize | Out-Host
    Write-Host ("Totals: {0} client packets, {1} server packets, {2:N0} bytes of payload." -f
        ($found | Measure-Object ClientPackets -Sum).Sum, ($found | Measure-Object ServerPackets -Sum).Sum,
        (($found | Measure-Object ClientBytes -Sum).Sum + ($found | Measure-Object ServerBytes -Sum).Sum))
    Write-Host "`nThe live copy (Start-TcpCopy, Start-Intercept, Set-TargetRoute) joins this demo as it lands."
}
finally {
    Remove-ReplayLab $lab
}
