#Requires -Version 7.4
# The copier process seen from the shell: a host that stops answering never makes a property wait, Ctrl+C on
# Start-TcpCopy does not wait for a host that says nothing, and a host of another build is refused with both versions
# named. Each case runs a fresh pwsh in a namespace of its own (eth0 198.18.0.20/24 on a veth whose peer has no
# address), so nothing it sends leaves the namespace. Hosts that misbehave on purpose are shell scripts named by
# TCPREPLAY_COPIER_HOST; the stalled host is the module's own, stopped with SIGSTOP. Needs root.

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    Import-Module "$PSScriptRoot/../Lab/TcpReplayLab.psm1" -Force
    $script:ModulePath = Get-LabModulePath
    $script:Pwsh = Join-Path $PSHOME 'pwsh'
    $script:CopyId = 'TcpReplay.PowerShell.Cmdlets.StartTcpCopyCommand'
    $script:Folder = (New-Item -ItemType Directory -Path ([IO.Path]::Combine([IO.Path]::GetTempPath(), "tcpreplay-hosttest-$(Get-Random)"))).FullName
    $script:CopyArguments = "-Transfer '8080-198.18.0.30:8080' -InterceptServer 198.18.0.40 -FakeClientAddress 198.19.0.0/24 -Interface eth0 -CaptureMode RawSocket"

    # A copier host played by a shell script that first writes its PID where the test can find it.
    function New-FakeHost([string] $Name, [string] $Body) {
        $path = Join-Path $script:Folder $Name
        Set-Content -LiteralPath $path -Value "#!/bin/sh`necho `$`$ > '$path.pid'`n$Body`n" -NoNewline
        chmod 700 $path
        $path
    }

    # Runs a script in a fresh pwsh inside a new namespace with the module imported; returns its JSON output as objects.
    function Invoke-InNamespace([string] $Script, [hashtable] $Environment = @{}) {
        $ns = 'trh{0:x8}' -f (Get-Random -Maximum ([int]::MaxValue))
        ip netns add $ns
        try {
            ip -n $ns link set lo up
            ip -n $ns link add eth0 type veth peer name eth0p
            ip -n $ns addr add 198.18.0.20/24 dev eth0
            ip -n $ns link set eth0p up
            ip -n $ns link set eth0 up
            $full = "Import-Module '$($script:ModulePath)'; `$ErrorActionPreference = 'Stop'; $Script"
            $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($full))
            $variables = @($Environment.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })
            $output = & ip netns exec $ns env @variables $script:Pwsh -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
            $json = ($output | Where-Object { "$_" -match '^\s*[\{\[]' }) -join "`n"
            if (-not $json) { throw "The namespace script wrote no result: $($output -join "`n")" }
            $json | ConvertFrom-Json
        }
        finally {
            ip netns del $ns
        }
    }
}

AfterAll {
    if ($script:Folder -and $script:Folder -like '*tcpreplay-hosttest-*' -and (Test-Path -LiteralPath $script:Folder)) {
        foreach ($pidFile in Get-ChildItem -LiteralPath $script:Folder -Filter '*.pid') {
            $hostPid = [int](Get-Content -LiteralPath $pidFile.FullName)
            if (Test-Path "/proc/$hostPid") { Stop-Process -Id $hostPid -Force -ErrorAction Ignore }
        }
        Remove-Item -LiteralPath $script:Folder -Recurse -Force
    }
}

Describe 'The copier process seen from the shell' -Skip:(-not $script:IsRoot) {
    It 'leaves $s | Format-List * within 100 ms when the host has stopped answering, and Stop-TcpCopy bounded' {
        $result = Invoke-InNamespace @"
`$s = Start-TcpCopy $($script:CopyArguments)
`$null = `$s | Format-List * | Out-String
`$engine = `$s.EngineProcessId
kill -STOP `$engine
try {
    Start-Sleep -Milliseconds 800
    `$clock = [Diagnostics.Stopwatch]::StartNew()
    `$text = `$s | Format-List * | Out-String
    `$formatMs = `$clock.Elapsed.TotalMilliseconds
    `$clock.Restart()
    Stop-TcpCopy `$s
    `$stopMs = `$clock.Elapsed.TotalMilliseconds
}
finally {
    kill -CONT `$engine 2>`$null
}
Start-Sleep -Milliseconds 300
[pscustomobject]@{ FormatMs = `$formatMs; StopMs = `$stopMs; State = "`$(`$s.JobStateInfo.State)"; HostGone = -not (Test-Path "/proc/`$engine"); Listed = `$text -match 'EngineProcessId' } | ConvertTo-Json -Compress
"@
        Write-Host "    stalled host: Format-List * took $([Math]::Round($result.FormatMs, 1)) ms, Stop-TcpCopy $([Math]::Round($result.StopMs)) ms"
        $result.Listed | Should -BeTrue
        $result.FormatMs | Should -BeLessThan 100
        $result.StopMs | Should -BeLessThan 2500
        $result.State | Should -Be 'Stopped'
        $result.HostGone | Should -BeTrue
    }

    It 'returns within 1 s when Start-TcpCopy is interrupted (Ctrl+C) while the host says nothing, and kills the host' {
        $silent = New-FakeHost 'silent-host' 'exec sleep 60'
        $result = Invoke-InNamespace -Environment @{ TCPREPLAY_COPIER_HOST = $silent } @"
`$ps = [powershell]::Create()
`$start = @'
Start-TcpCopy $($script:CopyArguments)
'@
`$null = `$ps.AddCommand('Import-Module').AddArgument('$($script:ModulePath)').AddStatement().AddScript(`$start)
`$pending = `$ps.BeginInvoke()
`$clock = [Diagnostics.Stopwatch]::StartNew()
while (-not (Test-Path '$silent.pid') -and `$clock.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 50 }
Start-Sleep -Seconds 1
`$clock.Restart()
`$ps.Stop()
`$stopMs = `$clock.Elapsed.TotalMilliseconds
Start-Sleep -Milliseconds 300
`$hostPid = [int](Get-Content '$silent.pid')
[pscustomobject]@{ StopMs = `$stopMs; State = "`$(`$ps.InvocationStateInfo.State)"; HostGone = -not (Test-Path "/proc/`$hostPid") } | ConvertTo-Json -Compress
"@
        Write-Host "    silent host: the interrupted Start-TcpCopy returned in $([Math]::Round($result.StopMs)) ms"
        $result.StopMs | Should -BeLessThan 1000
        $result.State | Should -Be 'Stopped'
        $result.HostGone | Should -BeTrue
    }

    It 'refuses a host of another protocol version with CopierHostVersionMismatch, naming both versions' {
        # A hello as a host of protocol 7, build "old-build", writes it: length 15, type 12, version 7, the build string.
        $old = New-FakeHost 'old-host' "printf '\017\000\000\000\014\007\000\000\000\011old-build'; exec sleep 30"
        $result = Invoke-InNamespace -Environment @{ TCPREPLAY_COPIER_HOST = $old } @"
try { Start-TcpCopy $($script:CopyArguments); [pscustomobject]@{ Id = 'no error' } | ConvertTo-Json -Compress }
catch { [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Message = `$_.Exception.Message; Fix = `$_.ErrorDetails.RecommendedAction; Version = [TcpReplay.Engine.Hosting.HostProtocol]::Version } | ConvertTo-Json -Compress }
"@
        $result.Id | Should -Be "CopierHostVersionMismatch,$script:CopyId"
        $result.Message | Should -Match 'host protocol 7 \(build old-build\)'
        $result.Message | Should -Match "host protocol $($result.Version) \(build "
        $result.Fix | Should -Match 'Install the module again'
    }
}
