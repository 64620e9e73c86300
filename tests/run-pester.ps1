<#
.SYNOPSIS
    Runs the Pester tests of tests/Pester against the built module and writes the counts as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ResultFile,
    [string[]] $Path = @("$PSScriptRoot/Pester"),
    [string] $Output = 'Detailed'
)
$ErrorActionPreference = 'Stop'
$packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
Import-Module (Join-Path $packages 'pester/6.2.0/tools/Pester.psd1') -Force

$env:TCPREPLAY_MODULE = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { (Resolve-Path "$PSScriptRoot/../out/TcpReplay/TcpReplay.psd1").Path }
$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output
$result = Invoke-Pester -Configuration $configuration

$failedNames = @($result.Failed | ForEach-Object { $_.ExpandedPath }) +
    @($result.FailedBlocks | ForEach-Object { "$($_.ExpandedPath) (setup)" }) +
    @($result.FailedContainers | ForEach-Object { "$($_.Item) (file)" })
@{ passed = $result.PassedCount; failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
   skipped = $result.SkippedCount; failedNames = $failedNames } |
    ConvertTo-Json | Set-Content -Path $ResultFile
