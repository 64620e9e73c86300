#Requires -Version 7.4
<#
    Runs the product's roles in a namespace lab, each in its own pwsh process inside its host's namespace, as on
    separate machines: the intercept on the assistant, the copy on the online host, Set-TargetRoute on the
    target. Used by the live-copy lab tests, `make demo` and the load benchmark. Processes are started through
    the lab (so Remove-ReplayLab stops them by PID) and talk to the caller through files in a control folder.
#>

Import-Module "$PSScriptRoot/TcpReplayLab.psm1"

$script:PwshDll = Join-Path $PSHOME 'pwsh.dll'

function Start-LabPwsh {
    <#
    .SYNOPSIS
        Starts a pwsh script in the background inside a lab host's namespace; returns the lab process record.
    #>
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [Parameter(Mandatory)] [string] $File,
        [string[]] $ArgumentList = @(),
        [string] $Name = 'pwsh'
    )
    Start-LabProcess $Lab -HostName $HostName -FilePath ([Environment]::ProcessPath) -Name $Name -ArgumentList (
        @($script:PwshDll, '-NoLogo', '-NoProfile', '-NonInteractive', '-File', $File) + $ArgumentList)
}

function Invoke-LabPwsh {
    <#
    .SYNOPSIS
        Runs a pwsh command inside a lab host's namespace and returns its output (throws on failure).
    #>
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [Parameter(Mandatory)] [string] $Command,
        [int] $TimeoutSeconds = 60
    )
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    Invoke-LabCommand $Lab -HostName $HostName -TimeoutSeconds $TimeoutSeconds -Command (
        "'$([Environment]::ProcessPath)' '$script:PwshDll' -NoLogo -NoProfile -NonInteractive -EncodedCommand $encoded")
}

function Wait-LabFile {
    param([Parameter(Mandatory)] [string[]] $Path, [double] $TimeoutSeconds = 30, $Process)
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($clock.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
        foreach ($p in $Path) { if (Test-Path -LiteralPath $p) { return $p } }
        if ($Process -and $Process.Process.HasExited) {
            foreach ($p in $Path) { if (Test-Path -LiteralPath $p) { return $p } }
            throw "$($Process.Name) exited with code $($Process.Process.ExitCode) before writing $($Path -join ' or '): $(Get-Content -Raw -ErrorAction Ignore $Process.StandardError)"
        }
        Start-Sleep -Milliseconds 100
    }
    throw "None of $($Path -join ', ') appeared within $TimeoutSeconds s."
}

function New-LabControl {
    param([Parameter(Mandatory)] $Lab)
    $path = Join-Path $Lab.TempDirectory ("control-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $path | Out-Null
    $path
}

function Start-LabRole {
    <#
    .SYNOPSIS
        Starts a role script (tests/Lab/roles) in a host's namespace and, with -Wait, waits until it is ready.
    .OUTPUTS
        The role: Name, Control, Process, Ready (text the role wrote), or an error thrown with the role's own.
    #>
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [ValidateSet('Intercept', 'Copy')] [string] $Role,
        [Parameter(Mandatory)] [string] $HostName,
        [Parameter(Mandatory)] [string] $ModulePath,
        [string] $Name = $Role.ToLowerInvariant(),
        [hashtable] $Parameters = @{},
        [switch] $Wait
    )
    $control = New-LabControl $Lab
    $arguments = @('-ModulePath', $ModulePath, '-Control', $control, '-Name', $Name)
    foreach ($key in $Parameters.Keys) {
        $value = $Parameters[$key]
        if ($value -is [switch] -or $value -is [bool]) { if ($value) { $arguments += "-$key" } }
        else { $arguments += "-$key"; $arguments += (@($value) -join ',') }
    }
    $process = Start-LabPwsh $Lab -HostName $HostName -File "$PSScriptRoot/roles/Invoke-${Role}Role.ps1" -ArgumentList $arguments -Name $Name
    $result = [pscustomobject]@{ Name = $Name; Control = $control; Process = $process; HostName = $HostName; Ready = $null }
    if ($Wait) { Wait-LabRole $result }
    $result
}

function Wait-LabRole {
    param([Parameter(Mandatory, Position = 0)] $RoleInfo, [double] $TimeoutSeconds = 30)
    $ready = Join-Path $RoleInfo.Control "$($RoleInfo.Name).ready"
    $errorFile = Join-Path $RoleInfo.Control "$($RoleInfo.Name).error"
    $found = Wait-LabFile -Path $ready, $errorFile -TimeoutSeconds $TimeoutSeconds -Process $RoleInfo.Process
    if ($found -eq $errorFile) {
        Start-Sleep -Milliseconds 200
        throw "$($RoleInfo.Name) failed to start: $(Get-Content -Raw $errorFile)"
    }
    $RoleInfo.Ready = Get-Content -Raw $ready
}

function Get-LabRoleError {
    param([Parameter(Mandatory, Position = 0)] $RoleInfo, [double] $TimeoutSeconds = 30)
    $errorFile = Join-Path $RoleInfo.Control "$($RoleInfo.Name).error"
    $null = Wait-LabFile -Path $errorFile -TimeoutSeconds $TimeoutSeconds
    Start-Sleep -Milliseconds 200
    Get-Content -Raw $errorFile | ConvertFrom-Json
}

function Get-LabCopyStatus {
    param([Parameter(Mandatory, Position = 0)] $RoleInfo)
    $file = Join-Path $RoleInfo.Control "$($RoleInfo.Name).status.json"
    if (Test-Path $file) { Get-Content -Raw $file -ErrorAction Ignore | ConvertFrom-Json -ErrorAction Ignore }
}

function Wait-LabCopyCondition {
    <#
    .SYNOPSIS
        Polls a running copy's status until the condition holds (bounded); returns the status.
    #>
    param([Parameter(Mandatory, Position = 0)] $RoleInfo, [Parameter(Mandatory, Position = 1)] [scriptblock] $Condition, [double] $TimeoutSeconds = 30, [string] $What = 'the condition')
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $status = $null
    while ($clock.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
        $status = Get-LabCopyStatus $RoleInfo
        if ($status -and (& $Condition $status)) { return $status }
        if ($RoleInfo.Process.Process.HasExited) { throw "$($RoleInfo.Name) exited: $(Get-Content -Raw -ErrorAction Ignore $RoleInfo.Process.StandardError)" }
        Start-Sleep -Milliseconds 200
    }
    throw "Timed out after $TimeoutSeconds s waiting for $What; last status: $($status | ConvertTo-Json -Depth 3 -Compress)"
}

function Stop-LabRole {
    <#
    .SYNOPSIS
        Asks a role to stop (stop file), waits for its result (bounded) and for its process to end; returns the result.
    #>
    param([Parameter(Mandatory, Position = 0)] $Lab, [Parameter(Mandatory, Position = 1)] $RoleInfo, [double] $TimeoutSeconds = 30)
    Set-Content -Path (Join-Path $RoleInfo.Control "$($RoleInfo.Name).stop") -Value 'stop'
    $resultFile = Join-Path $RoleInfo.Control "$($RoleInfo.Name).result.json"
    try {
        $null = Wait-LabFile -Path $resultFile -TimeoutSeconds $TimeoutSeconds -Process $RoleInfo.Process
        $null = $RoleInfo.Process.Process.WaitForExit(10000)
        Get-Content -Raw $resultFile | ConvertFrom-Json
    }
    finally {
        Stop-LabProcess $Lab -Id $RoleInfo.Process.Id
    }
}

function Invoke-LabHttpTraffic {
    <#
    .SYNOPSIS
        Runs the bounded HTTP traffic generator in the client namespace and returns its final summary.
    #>
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [string] $Server = '198.18.0.20',
        [int] $Port = 8080,
        [int] $Connections = 200,
        [int] $RequestsMax = 19,
        [double] $ResetFraction = 0,
        [int] $Concurrency = 20,
        [int] $Seed = 1,
        [int] $DeadlineSeconds = 90,
        # Request targets to choose from (default: the generator's own mix of /, 4 KiB and 64 KiB files).
        [string[]] $Paths
    )
    $pathOption = if ($Paths) { " --paths '$($Paths -join ',')'" } else { '' }
    $output = Invoke-LabCommand $Lab -HostName client -TimeoutSeconds ($DeadlineSeconds + 30) -IgnoreExitCode -Command (
        "python3 '$PSScriptRoot/http_traffic.py' --server $Server --port $Port --connections $Connections " +
        "--requests-per-connection-max $RequestsMax --reset-fraction $ResetFraction --cutoff-fraction 0 --hold-seconds 0 " +
        "--concurrency $Concurrency --seed $Seed --deadline $DeadlineSeconds$pathOption")
    $done = @($output -split "`n" | Where-Object { $_ -like '{"phase":"done"*' } | Select-Object -Last 1)
    if (-not $done) { throw "The traffic generator printed no summary: $output" }
    $done[0] | ConvertFrom-Json
}

function Get-LabRequestCount {
    <#
    .SYNOPSIS
        Counts the requests in an nginx access log, optionally only those from addresses in a network.
    #>
    param([Parameter(Mandatory)] [string] $AccessLogPath, [string] $FromNetworkPrefix)
    $entries = @(Get-LabAccessLog -Path $AccessLogPath)
    if ($FromNetworkPrefix) { $entries = @($entries | Where-Object { "$($_.RemoteAddress)".StartsWith($FromNetworkPrefix) }) }
    $entries.Count
}

function Invoke-LabCopyRun {
    <#
    .SYNOPSIS
        Runs bounded HTTP traffic from the client to the online nginx and measures its copy: requests the online nginx
        served, requests the target's nginx served from fake clients, and the two logs compared request by request.
    .PARAMETER CopyRole
        A TcpReplay copy role (Start-LabRole): the run then also waits until it holds no open connection, so its
        records are final. Without it (a C tcpcopy), the run waits only for the target's log.
    .OUTPUTS
        Traffic (the generator's summary), Online, Target, FromFake, Compared (Compare-LabAccessLog), SettleSeconds.
    #>
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] $OnlineNginx,
        [Parameter(Mandatory)] $TargetNginx,
        [int] $Connections = 200,
        [int] $RequestsMax = 19,
        [int] $Seed = 1,
        $CopyRole,
        [double] $SettleSeconds = 5,
        [string[]] $Paths
    )
    $onlineBefore = Get-LabRequestCount -AccessLogPath $OnlineNginx.AccessLogPath
    $targetBefore = Get-LabRequestCount -AccessLogPath $TargetNginx.AccessLogPath
    $traffic = Invoke-LabHttpTraffic $Lab -Connections $Connections -RequestsMax $RequestsMax -Seed $Seed -Concurrency 20 -Paths $Paths
    # The copy follows the online traffic closely; give the last responses and closes a bounded moment.
    $expected = (Get-LabRequestCount -AccessLogPath $OnlineNginx.AccessLogPath) - $onlineBefore
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    do {
        Start-Sleep -Milliseconds 250
        $copied = (Get-LabRequestCount -AccessLogPath $TargetNginx.AccessLogPath) - $targetBefore
    } while ($copied -lt $expected -and $clock.Elapsed.TotalSeconds -lt $SettleSeconds)
    # Closes are held until the target has finished answering (with Timeline: silent for the 3 s drain time), so
    # the records are final once no copy is open; bounded by the hold's own limit (4 drain times) and a margin.
    if ($CopyRole) {
        # Not met in time is no failure here: the checks on the records then name the connections still open.
        try { $null = Wait-LabCopyCondition $CopyRole { param($s) $s.OpenConnections -eq 0 } -TimeoutSeconds 20 -What 'every copied connection to close' }
        catch { Write-Host "Invoke-LabCopyRun: $_" }
    }
    # One reading of each log for every figure, so a late copy cannot make them disagree.
    $served = @(Get-LabAccessLog -Path $TargetNginx.AccessLogPath | Select-Object -Skip $targetBefore)
    $fromFake = @($served | Where-Object { "$($_.RemoteAddress)".StartsWith('198.19.') -or "$($_.RemoteAddress)" -eq '198.18.0.50' }).Count
    $onlineServed = @(Get-LabAccessLog -Path $OnlineNginx.AccessLogPath | Select-Object -Skip $onlineBefore)
    $compared = Compare-LabAccessLog -Online $onlineServed -Target $served
    if ($compared.Duplicated -or $compared.Missing) {
        Write-Host "Invoke-LabCopyRun: duplicated $($compared.Duplicated -join '; '); missing $(($compared.Missing | Select-Object -First 20) -join '; ')"
        # What a duplicate needs to be explained: every request of its client port on both sides, in order.
        foreach ($port in @($compared.Duplicated | ForEach-Object { [int]($_ -split '#')[0] } | Select-Object -Unique -First 5)) {
            foreach ($side in @(@{ Name = 'online'; Lines = $onlineServed }, @{ Name = 'target'; Lines = $served })) {
                $side.Lines | Where-Object RemotePort -eq $port | ForEach-Object {
                    Write-Host ("  port {0} {1}: {2} nginx connection {3} #{4} {5} {6} {7:HH:mm:ss.fff}" -f $port, $side.Name, $_.RemoteAddress, $_.Connection, $_.ConnectionRequests, $_.Target, $_.Status, $_.Time)
                }
            }
        }
    }
    [pscustomobject]@{ Traffic = $traffic; Online = $expected; Target = $served.Count; FromFake = $fromFake; Compared = $compared; SettleSeconds = $clock.Elapsed.TotalSeconds }
}

function Compare-LabAccessLog {
    <#
    .SYNOPSIS
        Compares the requests the online nginx served with those the target served from fake clients, request by
        request: what the target missed and what it served more often than the online host did.
    .DESCRIPTION
        The copier keeps the client's port as the fake client's port, so a request is its client port, its position
        on its connection and its target on both sides. A key the target logged more often than the online host is a
        duplicate: for a non-idempotent service (payments, speech sessions) a defect, not a rounding error.
    .OUTPUTS
        Online, Target (counts), Missing and Duplicated (lists of "port#position target" with the two counts).
    #>
    param([AllowEmptyCollection()] [Parameter(Mandatory)] [object[]] $Online, [AllowEmptyCollection()] [Parameter(Mandatory)] [object[]] $Target)
    # PowerShell names are case-insensitive: the tallies must not be called $online/$target.
    $keyOf = { param($e) "$($e.RemotePort)#$($e.ConnectionRequests) $($e.Target)" }
    $onlineCount = @{}
    foreach ($e in $Online) { $k = & $keyOf $e; $onlineCount[$k] = 1 + [int]$onlineCount[$k] }
    $targetCount = @{}
    foreach ($e in $Target) {
        # Fake clients: the lab's fake network, or the bystander's address when a test copies from it.
        if (-not ("$($e.RemoteAddress)".StartsWith('198.19.') -or "$($e.RemoteAddress)" -eq '198.18.0.50')) { continue }
        $k = & $keyOf $e; $targetCount[$k] = 1 + [int]$targetCount[$k]
    }
    [pscustomobject]@{
        Online     = $Online.Count
        Target     = [int]($targetCount.Values | Measure-Object -Sum).Sum
        Missing    = @($onlineCount.Keys | Where-Object { [int]$targetCount[$_] -lt $onlineCount[$_] } | Sort-Object | ForEach-Object { "$_ (online $($onlineCount[$_]), target $([int]$targetCount[$_]))" })
        Duplicated = @($targetCount.Keys | Where-Object { $targetCount[$_] -gt [int]$onlineCount[$_] } | Sort-Object | ForEach-Object { "$_ (online $([int]$onlineCount[$_]), target $($targetCount[$_]))" })
    }
}

function Get-LabReferenceBinary {
    <#
    .SYNOPSIS
        A runnable copy of one of the C reference binaries (tcpcopy 1.3, intercept 1.0) in the lab's temporary directory.
    .DESCRIPTION
        The binaries lie read-only in ../shared/reference/tcpcopy-1.3.0 beside the repository (TCPREPLAY_REFERENCE
        overrides the folder) and may lack the execute bit: the lab runs a copy, made once per lab.
    .PARAMETER Lab
        The lab.
    .PARAMETER Name
        intercept, tcpcopy-raw, tcpcopy-pcap or tcpcopy-offline.
    .EXAMPLE
        Start-LabProcess $lab -HostName assistant -FilePath (Get-LabReferenceBinary $lab intercept) -ArgumentList '-i', 'eth0'
    #>
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] $Lab, [Parameter(Mandatory, Position = 1)] [string] $Name)
    $folder = if ($env:TCPREPLAY_REFERENCE) { $env:TCPREPLAY_REFERENCE } else { [IO.Path]::GetFullPath("$PSScriptRoot/../../../shared/reference/tcpcopy-1.3.0") }
    $path = Join-Path $Lab.TempDirectory $Name
    if (-not (Test-Path -LiteralPath $path)) {
        $source = Join-Path $folder $Name
        if (-not (Test-Path -LiteralPath $source)) { throw "C reference binary $Name is not in $folder (TCPREPLAY_REFERENCE names another folder)." }
        Copy-Item -LiteralPath $source -Destination $path
        & chmod 0755 $path
    }
    $path
}

function Wait-LabChannelSocket {
    <#
    .SYNOPSIS
        Waits (bounded) for a socket of the intercept channel (port 36524 by default) in a given state on a lab host; returns how many.
    .PARAMETER State
        listening (an intercept's server socket) or established (a copier's links).
    .EXAMPLE
        Wait-LabChannelSocket $lab -HostName assistant -State listening
    #>
    [OutputType([int])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [Parameter(Mandatory)] [ValidateSet('listening', 'established')] [string] $State,
        [int] $Port = 36524,
        [double] $TimeoutSeconds = 20
    )
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while ($clock.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
        $filter = if ($State -eq 'listening') { "sport = :$Port" } else { "dport = :$Port" }
        $lines = @(Invoke-LabCommand $Lab -HostName $HostName -Command "ss -Htn state $State '( $filter )'" | Where-Object { $_ })
        if ($lines.Count -gt 0) { return $lines.Count }
        Start-Sleep -Milliseconds 200
    }
    throw "No $State channel socket on port $Port on $HostName within $TimeoutSeconds s."
}

Export-ModuleMember -Function Get-LabReferenceBinary, Wait-LabChannelSocket, Wait-LabFile, Invoke-LabCopyRun, Compare-LabAccessLog, Start-LabPwsh, Invoke-LabPwsh, Start-LabRole, Wait-LabRole, Get-LabRoleError, Get-LabCopyStatus,
    Wait-LabCopyCondition, Stop-LabRole, Invoke-LabHttpTraffic, Get-LabRequestCount
