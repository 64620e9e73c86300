#Requires -Version 7.4
# The module as users install it (issue 17): `make package` writes out/package/TcpReplay.<version>.nupkg; it must carry
# a complete manifest, install with Install-PSResource from a folder repository into a clean module path, export every
# command, and leave a native copier host that can run (a .nupkg is a zip: it keeps no execute bits).

BeforeDiscovery {
    $script:Package = Get-ChildItem -Path "$PSScriptRoot/../../out/package" -Filter 'TcpReplay.*.nupkg' -ErrorAction SilentlyContinue | Select-Object -First 1
}

BeforeAll {
    $script:Package = Get-ChildItem -Path "$PSScriptRoot/../../out/package" -Filter 'TcpReplay.*.nupkg' -ErrorAction SilentlyContinue | Select-Object -First 1
    $script:SourceManifest = Import-PowerShellDataFile "$PSScriptRoot/../../module/TcpReplay.psd1"
    $script:Expected = @($script:SourceManifest.CmdletsToExport) + @($script:SourceManifest.FunctionsToExport) | Sort-Object
}

Describe 'The TcpReplay package' -Tag 'Package' -Skip:(-not $script:Package) {
    Context 'manifest' {
        It 'says what the module is, for which system, under which licence, with release notes, and nothing left blank' {
            $m = $script:SourceManifest
            $m.ModuleVersion | Should -Match '^\d+\.\d+\.\d+$'
            $m.Description.Length | Should -BeGreaterThan 100
            $m.Author | Should -Not -BeNullOrEmpty
            $m.CompanyName | Should -Not -BeNullOrEmpty
            $m.Copyright | Should -Match 'MIT'
            $m.PowerShellVersion | Should -Be '7.4'
            $m.CompatiblePSEditions | Should -Be @('Core')
            $m.ProcessorArchitecture | Should -Be 'Amd64'
            $m.PrivateData.PSData.Tags | Should -Contain 'Linux'
            $m.PrivateData.PSData.Tags | Should -Contain 'PSEdition_Core'
            $m.PrivateData.PSData.ReleaseNotes | Should -Match $m.ModuleVersion.Replace('.', '\.')
            foreach ($list in 'CmdletsToExport', 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') {
                $m[$list] | Should -Not -Contain '*' -Because "$list names what it exports"
            }
        }

        It 'holds the licence, the native copier host, the help and the deployment functions' {
            Add-Type -AssemblyName System.IO.Compression.FileSystem
            $zip = [System.IO.Compression.ZipFile]::OpenRead($script:Package.FullName)
            try { $names = @($zip.Entries.FullName) } finally { $zip.Dispose() }
            foreach ($file in 'TcpReplay.psd1', 'TcpReplay.PowerShell.dll', 'TcpReplay.Engine.dll', 'TcpReplay.CopierHost', 'TcpReplay.Deployment.psm1', 'LICENSE',
                'en-US/TcpReplay.PowerShell.dll-Help.xml', 'en-US/about_TcpReplay.help.txt', 'TcpReplay.nuspec') {
                $names | Should -Contain $file
            }
        }
    }

    Context 'Install-PSResource from a folder repository into a clean module path' {
        BeforeAll {
            $script:cleanHome = $null
            $script:cleanHome = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "tcpreplay-install-$([guid]::NewGuid().ToString('n'))")).FullName
            $pwshDll = [System.Reflection.Assembly]::GetEntryAssembly().Location
            $child = @'
$ErrorActionPreference = 'Stop'
$before = @(Get-Module -ListAvailable TcpReplay).Count
Register-PSResourceRepository -Name LocalTcpReplay -Uri $env:TCPREPLAY_PACKAGE_FOLDER -Trusted
Install-PSResource -Name TcpReplay -Repository LocalTcpReplay -Scope CurrentUser -TrustRepository -Quiet
$module = Import-Module TcpReplay -PassThru
$host_ = Join-Path $module.ModuleBase 'TcpReplay.CopierHost'
$modeBefore = "$([IO.File]::GetUnixFileMode($host_))"
$why = [TcpReplay.Engine.Hosting.CopierProcess]::WhyUnavailable()
[pscustomobject]@{
    Before = $before; Base = $module.ModuleBase; Version = "$($module.Version)"
    Commands = @(Get-Command -Module TcpReplay | ForEach-Object Name | Sort-Object)
    HostModeBefore = $modeBefore; HostModeAfter = "$([IO.File]::GetUnixFileMode($host_))"; Why = $why
    About = @(Get-Help about_TcpReplay -ErrorAction SilentlyContinue).Count
} | ConvertTo-Json -Compress
'@
            $saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; XDG_CACHE_HOME = $env:XDG_CACHE_HOME }
            try {
                $env:HOME = $script:cleanHome
                $env:XDG_DATA_HOME = $env:XDG_CONFIG_HOME = $env:XDG_CACHE_HOME = $null
                # Only the user path of the clean home and PowerShell's own modules (PSResourceGet lives there).
                $env:PSModulePath = "$script:cleanHome/.local/share/powershell/Modules:$PSHOME/Modules"
                $env:TCPREPLAY_PACKAGE_FOLDER = $script:Package.DirectoryName
                $output = & dotnet $pwshDll -NoLogo -NoProfile -NonInteractive -Command $child 2>&1
            }
            finally {
                foreach ($key in $saved.Keys) { Set-Item -Path "env:$key" -Value $saved[$key] }
                Remove-Item env:TCPREPLAY_PACKAGE_FOLDER -ErrorAction SilentlyContinue
            }
            $script:installed = @($output | Where-Object { "$_" -like '{*' })[-1] | ConvertFrom-Json
            $script:output = "$output"
        }

        AfterAll {
            # Only the folder this test made: never a path it did not create (PowerShell's $HOME is one letter-case away).
            if ($script:cleanHome -and (Split-Path -Leaf $script:cleanHome) -like 'tcpreplay-install-*' -and
                $script:cleanHome.StartsWith([IO.Path]::GetTempPath(), [StringComparison]::Ordinal)) {
                Remove-Item -LiteralPath $script:cleanHome -Recurse -Force -ErrorAction SilentlyContinue
            }
        }

        It 'installs into the clean user module path' {
            $script:installed | Should -Not -BeNullOrEmpty -Because $script:output
            $script:installed.Before | Should -Be 0
            $script:installed.Base | Should -BeLike "$script:cleanHome/*"
            $script:installed.Version | Should -Be $script:SourceManifest.ModuleVersion
        }

        It 'exports every command' {
            $script:installed.Commands | Should -Be $script:Expected
        }

        It 'gets the native copier host its execute bits back, so it can run' {
            $script:installed.HostModeBefore | Should -Not -Match 'UserExecute' -Because 'a .nupkg keeps no Unix modes (this test must see the case)'
            $script:installed.HostModeAfter | Should -Match 'UserExecute'
            $script:installed.Why | Should -BeNullOrEmpty
        }

        It 'has the about_TcpReplay topic' {
            $script:installed.About | Should -Be 1
        }

        It 'installs with Install-Module (PowerShellGet 2) from the same folder too' {
            $pwshDll = [System.Reflection.Assembly]::GetEntryAssembly().Location
            $child = @'
$ErrorActionPreference = 'Stop'
Register-PSRepository -Name LocalTcpReplay -SourceLocation $env:TCPREPLAY_PACKAGE_FOLDER -InstallationPolicy Trusted
Install-Module -Name TcpReplay -Repository LocalTcpReplay -Scope CurrentUser
$module = Import-Module TcpReplay -PassThru
[pscustomobject]@{ Base = $module.ModuleBase; Commands = @(Get-Command -Module TcpReplay).Count } | ConvertTo-Json -Compress
'@
            $other = (New-Item -ItemType Directory -Path (Join-Path $script:cleanHome 'second')).FullName
            $saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath }
            try {
                $env:HOME = $other
                $env:PSModulePath = "$other/.local/share/powershell/Modules:$PSHOME/Modules"
                $env:TCPREPLAY_PACKAGE_FOLDER = $script:Package.DirectoryName
                $output = & dotnet $pwshDll -NoLogo -NoProfile -NonInteractive -Command $child 2>&1
            }
            finally {
                foreach ($key in $saved.Keys) { Set-Item -Path "env:$key" -Value $saved[$key] }
                Remove-Item env:TCPREPLAY_PACKAGE_FOLDER -ErrorAction SilentlyContinue
            }
            $result = @($output | Where-Object { "$_" -like '{*' })[-1] | ConvertFrom-Json
            $result | Should -Not -BeNullOrEmpty -Because "$output"
            $result.Base | Should -BeLike "$other/*"
            $result.Commands | Should -Be $script:Expected.Count
        }
    }
}
