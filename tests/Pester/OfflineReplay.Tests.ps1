#Requires -Version 7.4
# Start-TcpCopy's offline replay parameter sets (-Path, -LiteralPath, pipeline from Get-ChildItem) bind as
# documented and refuse bad input with one ErrorId per cause, before anything touches the network.
# The replay itself is tested in OfflineReplay.Lab.Tests.ps1.

BeforeAll {
    $script:ModulePath = (Resolve-Path $(if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" })).Path
    Import-Module $script:ModulePath -Force
    $script:CopyId = 'TcpReplay.PowerShell.Cmdlets.StartTcpCopyCommand'
    $script:Fixture = (Resolve-Path "$PSScriptRoot/../Unit/Fixtures/http-usec.pcap").Path
    $script:Common = @{ Transfer = '80-198.18.0.30:80'; InterceptServer = '198.18.0.40'; FakeClientAddress = '198.19.0.0/24' }
}

Describe 'Start-TcpCopy' {
    Context 'Path parameter set' {
        It 'refuses a filter libpcap cannot compile, with InvalidCaptureFilter and how to test it' {
            $caught = { Start-TcpCopy -Path $script:Fixture @script:Common -Filter 'tcp port banana' } | Should -Throw -ErrorId "InvalidCaptureFilter,$($script:CopyId)" -PassThru
            $caught.ErrorDetails.RecommendedAction | Should -Match 'tcpdump -r'
            $caught.Exception.Message | Should -Match 'banana'
        }

        It 'stops with NoCaptureFile when no path names a file, after a PathNotFound error per path' {
            $thrown = $null
            try { Start-TcpCopy -Path '/nonexistent/a.pcap', '/nonexistent/*.pcapng' @script:Common -ErrorVariable pathErrors -ErrorAction SilentlyContinue }
            catch { $thrown = $_ }
            $thrown.FullyQualifiedErrorId | Should -Be "NoCaptureFile,$($script:CopyId)"
            @($pathErrors | Where-Object FullyQualifiedErrorId -eq "PathNotFound,$($script:CopyId)").Count | Should -Be 2
        }

        It 'refuses a speed that is neither a factor nor Max' {
            { Start-TcpCopy -Path $script:Fixture @script:Common -Speed 'fast' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,TcpReplay.PowerShell.Cmdlets.StartTcpCopyCommand'
        }

        It 'refuses a time bound that is neither a time nor an offset' {
            { Start-TcpCopy -Path $script:Fixture @script:Common -From 'soon' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,TcpReplay.PowerShell.Cmdlets.StartTcpCopyCommand'
        }

        It 'takes file paths from the pipeline' {
            { $script:Fixture | Start-TcpCopy @script:Common -Filter 'port banana' } | Should -Throw -ErrorId "InvalidCaptureFilter,$($script:CopyId)"
        }
    }

    Context 'LiteralPath parameter set' {
        It 'binds files piped from Get-ChildItem by PSPath' {
            $command = { Get-ChildItem -LiteralPath $script:Fixture | Start-TcpCopy @script:Common -Filter 'port banana' }
            $command | Should -Throw -ErrorId "InvalidCaptureFilter,$($script:CopyId)"
        }

        It 'names the parameter sets Path and LiteralPath with -Transfer mandatory in both' {
            $sets = (Get-Command Start-TcpCopy).ParameterSets | Where-Object Name -in 'Path', 'LiteralPath'
            $sets.Count | Should -Be 2
            foreach ($set in $sets) {
                ($set.Parameters | Where-Object Name -eq 'Transfer').IsMandatory | Should -BeTrue
                ($set.Parameters | Where-Object Name -eq 'Speed') | Should -Not -BeNullOrEmpty
            }
        }
    }
}
