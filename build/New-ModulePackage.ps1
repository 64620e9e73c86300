#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the TcpReplay .nupkg from the module folder (make package): Publish-PSResource into a local folder repository.
.DESCRIPTION
    Checks the manifest (Test-ModuleManifest), registers the output folder as a temporary PSResourceGet repository,
    publishes the module folder to it and unregisters it again, so nothing stays registered on the machine. The
    package is <OutputFolder>/TcpReplay.<version>.nupkg; users install it with
    Register-PSResourceRepository -Name <name> -Uri <folder> -Trusted; Install-PSResource TcpReplay -Repository <name>.
.PARAMETER ModulePath
    The module folder (make module builds out/TcpReplay).
.PARAMETER OutputFolder
    Where the .nupkg goes (default out/package); an older package of the same version there is replaced.
.EXAMPLE
    dotnet tool run pwsh -- -File build/New-ModulePackage.ps1 -ModulePath out/TcpReplay -OutputFolder out/package
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $OutputFolder = 'out/package'
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
$manifest = Test-ModuleManifest -Path (Join-Path $ModulePath 'TcpReplay.psd1')
$null = New-Item -ItemType Directory -Path $OutputFolder -Force
$OutputFolder = (Resolve-Path -LiteralPath $OutputFolder).Path
$package = Join-Path $OutputFolder "TcpReplay.$($manifest.Version).nupkg"
if (Test-Path -LiteralPath $package) { Remove-Item -LiteralPath $package }
$repository = "TcpReplayBuild$([guid]::NewGuid().ToString('n').Substring(0, 8))"
Register-PSResourceRepository -Name $repository -Uri $OutputFolder -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $repository
}
finally {
    Unregister-PSResourceRepository -Name $repository
}
if (-not (Test-Path -LiteralPath $package)) { throw "Publish-PSResource did not write $package." }
Write-Host "Package written: $package ($([math]::Round((Get-Item $package).Length / 1MB, 1)) MiB)"
