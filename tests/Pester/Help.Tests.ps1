#Requires -Version 7.4
# Every command of the module (its cmdlets and its deployment functions) carries help: a synopsis, a description, text for each parameter, and at least
# two examples that are valid PowerShell. (Get-PcapConnection's examples are also run, in GetPcapConnection.Tests.ps1.)

BeforeDiscovery {
    $modulePath = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" }
    Import-Module $modulePath -Force
    $script:Commands = @(Get-Command -Module TcpReplay -CommandType Cmdlet, Function | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    $modulePath = if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" }
    Import-Module $modulePath -Force
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help of <Name>' -ForEach $script:Commands {
    BeforeAll {
        $script:help = Get-Help $Name -Full
    }

    It 'has a synopsis and a description' {
        $script:help.Synopsis | Should -Not -BeNullOrEmpty
        $script:help.Synopsis | Should -Not -Match "^\s*$Name\s"
        ($script:help.description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $parameters = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $script:Common }
        foreach ($parameter in $parameters) {
            $entry = $script:help.parameters.parameter | Where-Object name -eq $parameter
            ($entry.description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$parameter needs help text"
        }
    }

    It 'has at least two examples that parse' {
        $examples = @($script:help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($example.code, [ref]$null, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because $example.code
        }
    }
}
