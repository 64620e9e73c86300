<#
.SYNOPSIS
    The assistant's role in a lab run: Start-Intercept, then wait for the stop file, then report.
.DESCRIPTION
    Runs inside the assistant's namespace (Start-LabPwsh). Writes <Control>/<Name>.ready once the intercept
    runs (or <Name>.error with the error), stops when <Name>.stop appears or after -DeadlineSeconds, and
    writes the final counters to <Name>.result.json.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Control,
    [string] $Name = 'intercept',
    [string] $Interface = 'eth0',
    [int[]] $TargetPort = @(),
    [int] $ResponsePayload = 0,
    [double] $DeadlineSeconds = 120
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

. "$PSScriptRoot/Publish-RoleFile.ps1"
try {
    $parameters = @{ Interface = $Interface }
    if ($TargetPort) { $parameters.TargetPort = $TargetPort }
    if ($ResponsePayload -gt 0) { $parameters.ResponsePayload = $ResponsePayload }
    $session = Start-Intercept @parameters
}
catch {
    $_ | Out-String | Out-String | ForEach-Object { Publish-File (Join-Path $Control "$Name.error") $_ }
    throw
}
Publish-File (Join-Path $Control "$Name.ready") $session.Filter
$clock = [System.Diagnostics.Stopwatch]::StartNew()
while (-not (Test-Path (Join-Path $Control "$Name.stop")) -and $clock.Elapsed.TotalSeconds -lt $DeadlineSeconds) {
    Start-Sleep -Milliseconds 100
}
$stopClock = [System.Diagnostics.Stopwatch]::StartNew()
Stop-Intercept $session
$result = $session | Select-Object Copiers, Captured, Routed, Unrouted, Parked, ClientRecords, PayloadLinks, KernelDropped, Filter
$result | Add-Member StopMilliseconds $stopClock.ElapsedMilliseconds
$result | ConvertTo-Json | Out-String | ForEach-Object { Publish-File (Join-Path $Control "$Name.result.json") $_ }
