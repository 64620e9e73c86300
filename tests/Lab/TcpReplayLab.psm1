#Requires -Version 7.4
<#
    TcpReplayLab: network-namespace labs for TcpReplay tests, `make demo` and the bench scripts.

    A lab is one switch namespace holding a bridge, and one namespace per host, each joined to the
    bridge by a veth pair whose host end is called eth0. Addresses come from the lab's plan below and
    are always inside 198.18.0.0/15 (RFC 2544 benchmarking range): nothing a lab does can reach a
    real network, and nothing is created in the root namespace.

    Every process a lab starts is recorded on the lab by PID; Remove-ReplayLab stops them, kills
    whatever else is still running inside the lab's namespaces, and deletes the namespaces.
    Every wait is bounded and says what it was waiting for when it gives up.
#>

Set-StrictMode -Version 3.0
# Inherited by every lab process: a lab talks to 198.18.0.0/15 only, and PowerShell's telemetry client would try
# to reach its service (and JIT-compile itself in a copier under load).
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'

# The lab's address plan (198.18.0.0/24; fake clients 198.19.0.0/16). The host octet also becomes the last byte of the host's MAC address.
$script:LabHostAddresses = [ordered]@{
    client    = '198.18.0.10'
    online    = '198.18.0.20'
    target    = '198.18.0.30'
    assistant = '198.18.0.40'
    bystander = '198.18.0.50'
    console   = '198.18.0.60'
}
$script:LabSegmentPrefixLength = 24
$script:LabFakeClientNetwork = '198.19.0.0/16'
$script:LabSwitchName = 'switch'
$script:LabSwitchNamespaceSuffix = 'sw'
$script:LabBridgeName = 'br0'
$script:LabInterfaceName = 'eth0'
$script:LabPrefixPattern = '^[a-z][a-z0-9]{0,15}$'

#region private helpers

function Invoke-LabNative {
    # Runs a program without a shell, capturing both streams; kills it (and its children) when
    # it outlives TimeoutSeconds. Never throws on a non-zero exit: callers decide.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [double] $TimeoutSeconds = 60
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    try {
        $p = [System.Diagnostics.Process]::Start($psi)
    }
    catch {
        throw "Cannot start '$FilePath': $($_.Exception.Message)"
    }
    try {
        $p.StandardInput.Close()
        $outTask = $p.StandardOutput.ReadToEndAsync()
        $errTask = $p.StandardError.ReadToEndAsync()
        $timedOut = -not $p.WaitForExit([int]($TimeoutSeconds * 1000))
        if ($timedOut) {
            try { $p.Kill($true) } catch [System.InvalidOperationException] { <# exited meanwhile #> }
            $null = $p.WaitForExit(5000)
        }
        # A background grandchild may keep the pipes open after the child exited: bound the read.
        $null = [System.Threading.Tasks.Task]::WaitAll(@($outTask, $errTask), 5000)
        [pscustomobject]@{
            ExitCode       = if ($p.HasExited) { $p.ExitCode } else { -1 }
            StandardOutput = if ($outTask.IsCompletedSuccessfully) { $outTask.Result } else { '' }
            StandardError  = if ($errTask.IsCompletedSuccessfully) { $errTask.Result } else { '' }
            TimedOut       = $timedOut
        }
    }
    finally {
        $p.Dispose()
    }
}

function Invoke-LabIp {
    # `ip` with the arguments given; throws with ip's own message on failure. No param block on
    # purpose: ip's own options (-n, -batch) must reach ip instead of binding as parameters.
    $ArgumentList = [string[]]$args
    $r = Invoke-LabNative -FilePath 'ip' -ArgumentList $ArgumentList -TimeoutSeconds 30
    if ($r.ExitCode -ne 0) {
        throw "ip $($ArgumentList -join ' ') failed (exit $($r.ExitCode)): $($r.StandardError.Trim())"
    }
    $r.StandardOutput
}

function Get-LabNamespaceList {
    # Names only: `ip netns list` prints "name (id: N)" once a namespace has an id.
    $r = Invoke-LabNative -FilePath 'ip' -ArgumentList 'netns', 'list' -TimeoutSeconds 30
    if ($r.ExitCode -ne 0) { throw "ip netns list failed (exit $($r.ExitCode)): $($r.StandardError.Trim())" }
    foreach ($line in $r.StandardOutput -split "`n") {
        $name = ($line -split '\s+', 2)[0]
        if ($name) { $name }
    }
}

function Get-LabNamespacePid {
    param([Parameter(Mandatory)] [string] $Namespace)
    $r = Invoke-LabNative -FilePath 'ip' -ArgumentList 'netns', 'pids', $Namespace -TimeoutSeconds 30
    if ($r.ExitCode -ne 0) { return }
    foreach ($line in $r.StandardOutput -split "`n") {
        $line = $line.Trim()
        if ($line -match '^\d+$') { [int]$line }
    }
}

function Test-LabPidAlive {
    # A zombie has exited; only its parent can reap it, so it counts as gone.
    param([Parameter(Mandatory)] [int] $Id)
    $stat = "/proc/$Id/stat"
    try { $text = [System.IO.File]::ReadAllText($stat) } catch { return $false }
    # Field 3 follows the command name, which is in parentheses and may itself contain ')'.
    $state = $text.Substring($text.LastIndexOf(')') + 2, 1)
    $state -ne 'Z' -and $state -ne 'X'
}

function Send-LabSignal {
    param([Parameter(Mandatory)] [int] $Id, [Parameter(Mandatory)] [ValidateSet('TERM', 'INT', 'KILL')] [string] $Signal)
    # A process that is already gone is not an error here: every caller wants it gone.
    $null = Invoke-LabNative -FilePath 'kill' -ArgumentList "-$Signal", "$Id" -TimeoutSeconds 10
}

function Wait-LabCondition {
    # Polls Condition until it returns $true; throws "Timed out after Ns waiting for <Description>".
    param(
        [Parameter(Mandatory)] [scriptblock] $Condition,
        [Parameter(Mandatory)] [double] $TimeoutSeconds,
        [Parameter(Mandatory)] [string] $Description,
        [int] $IntervalMilliseconds = 50,
        [scriptblock] $Detail
    )
    # Condition runs in a child scope of this one: keep local names unlikely to shadow the caller's.
    $waitClock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        if (& $Condition) { return }
        if ($waitClock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            $waitDetail = if ($Detail) { " $(& $Detail)" } else { '' }
            throw [System.TimeoutException]::new("Timed out after $TimeoutSeconds s waiting for $Description.$waitDetail")
        }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    }
}

function Assert-LabAddress {
    # The lab rule: only 198.18.0.0/15 (198.18.0.0 - 198.19.255.255), never any other address.
    param([Parameter(Mandatory)] [string] $Address)
    $ip = $null
    if (-not [System.Net.IPAddress]::TryParse($Address, [ref]$ip) -or
        $ip.AddressFamily -ne [System.Net.Sockets.AddressFamily]::InterNetwork) {
        throw "'$Address' is not an IPv4 address."
    }
    $b = $ip.GetAddressBytes()
    if ($b[0] -ne 198 -or ($b[1] -ne 18 -and $b[1] -ne 19)) {
        throw "Address $Address is outside 198.18.0.0/15; labs use only that benchmarking range (RFC 2544)."
    }
}

function Assert-LabLive {
    param([Parameter(Mandatory)] $Lab)
    if ($Lab.Removed) { throw "Lab '$($Lab.Prefix)' has been removed." }
}

function Resolve-LabNamespace {
    # Host name (or 'switch') to namespace name, with a clear error for a host the lab lacks.
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $HostName)
    if ($HostName -eq $script:LabSwitchName) { return $Lab.SwitchNamespace }
    if (-not $Lab.Hosts.Contains($HostName)) {
        throw "Lab '$($Lab.Prefix)' has no host '$HostName'; it has: $(@($Lab.Hosts.Keys) -join ', ') (and '$($script:LabSwitchName)')."
    }
    $Lab.Hosts[$HostName].Namespace
}

function Get-LabMacAddress {
    # Locally administered (02:), then 198.18.0.x in hex: readable in captures, stable across runs.
    param([Parameter(Mandatory)] [string] $Address)
    $b = [System.Net.IPAddress]::Parse($Address).GetAddressBytes()
    '02:00:{0:x2}:{1:x2}:{2:x2}:{3:x2}' -f $b[0], $b[1], $b[2], $b[3]
}

function Invoke-LabSysctl {
    param([Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string[]] $Setting)
    $r = Invoke-LabNative -FilePath 'ip' -ArgumentList (@('netns', 'exec', $Namespace, 'sysctl', '-q', '-w') + $Setting) -TimeoutSeconds 30
    if ($r.ExitCode -ne 0) {
        throw "sysctl $($Setting -join ' ') in namespace $Namespace failed (exit $($r.ExitCode)): $($r.StandardError.Trim())"
    }
}

function Read-LabSysctl {
    param([Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $Name)
    $r = Invoke-LabNative -FilePath 'ip' -ArgumentList 'netns', 'exec', $Namespace, 'sysctl', '-n', $Name -TimeoutSeconds 30
    if ($r.ExitCode -ne 0) { throw "sysctl -n $Name in namespace $Namespace failed: $($r.StandardError.Trim())" }
    $r.StandardOutput.Trim()
}

function Disable-LabOffload {
    # Segmentation offloads let veth carry 64 KiB "packets" that no wire ever sees, and make libpcap size
    # every ring slot for them (a few hundred slots in 64 MiB: tcpdump drops under a burst). Checksum
    # offload leaves partial checksums in captures. Off, a capture looks like one taken on a real wire.
    param([Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $Interface)
    $r = Invoke-LabNative -FilePath 'ip' -ArgumentList 'netns', 'exec', $Namespace, 'ethtool', '-K', $Interface,
    'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off' -TimeoutSeconds 30
    if ($r.ExitCode -ne 0) {
        throw "ethtool -K $Interface tso/gso/gro/tx off in namespace $Namespace failed (exit $($r.ExitCode)): $($r.StandardError.Trim())"
    }
}

function Find-LabProcessRecord {
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [int] $Id)
    foreach ($rec in $Lab.Processes) { if ($rec.Id -eq $Id) { return $rec } }
}

function Test-LabProcessRunning {
    param([Parameter(Mandatory)] $Record)
    try { -not $Record.Process.HasExited } catch { $false }
}

#endregion

function Get-LabModulePath {
    <#
    .SYNOPSIS
        The TcpReplay module a lab test runs: $env:TCPREPLAY_MODULE, or the one `make module` builds (out/TcpReplay).
    .EXAMPLE
        $script:ModulePath = Get-LabModulePath
    #>
    [OutputType([string])]
    param()
    (Resolve-Path $(if ($env:TCPREPLAY_MODULE) { $env:TCPREPLAY_MODULE } else { "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1" })).Path
}

function Get-LabSkipReason {
    <#
    .SYNOPSIS
        Why a lab test file cannot run here, or $null: what Test-LabPrerequisite misses, and what the file needs besides.
    .PARAMETER Also
        More missing things, as Test-LabPrerequisite results (Name, Detail) or as text.
    .EXAMPLE
        $script:SkipReason = Get-LabSkipReason -Also @(if (-not (Get-Command tcpreplay -ErrorAction Ignore)) { 'tcpreplay (apt-get install tcpreplay)' })
    #>
    [OutputType([string])]
    param([object[]] $Also = @())
    $missing = @(@(Test-LabPrerequisite) + @($Also | Where-Object { $_ }) | ForEach-Object { if ($_ -is [string]) { $_ } else { "$($_.Name) ($($_.Detail))" } })
    if ($missing) { "lab prerequisites missing: $($missing -join '; ')" } else { $null }
}

function Test-LabPrerequisite {
    <#
    .SYNOPSIS
        Lists what this machine lacks to build a lab.
    .DESCRIPTION
        Checks for root (namespaces, veth, tcpdump need it), and for the programs the lab and its tests
        run: ip (iproute2), tcpdump, nginx, tshark, python3, curl, sysctl, ethtool. By default only the missing ones
        are written, so an empty result means a lab can be built. Each result has Name, Available and Detail.
    .PARAMETER All
        Write every check, present or not.
    .EXAMPLE
        $missing = Test-LabPrerequisite
        if ($missing) { "cannot run the lab: $($missing.Name -join ', ')" }
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([switch] $All)

    $checks = [System.Collections.Generic.List[object]]::new()
    $uid = $null
    try { $uid = (Invoke-LabNative -FilePath 'id' -ArgumentList '-u' -TimeoutSeconds 10).StandardOutput.Trim() } catch { $uid = $null }
    $checks.Add([pscustomobject]@{
            PSTypeName = 'TcpReplay.LabPrerequisite'
            Name       = 'root'
            Available  = ($uid -eq '0')
            Detail     = if ($uid -eq '0') { 'running as root' } else { "running as uid $uid; network namespaces need root (sudo)" }
        })
    $programs = [ordered]@{
        ip      = 'iproute2'
        tcpdump = 'tcpdump'
        nginx   = 'nginx-light'
        tshark  = 'tshark'
        python3 = 'python3'
        curl    = 'curl'
        sysctl  = 'procps'
        ethtool = 'ethtool'
    }
    foreach ($name in $programs.Keys) {
        $cmd = Get-Command -Name $name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        $checks.Add([pscustomobject]@{
                PSTypeName = 'TcpReplay.LabPrerequisite'
                Name       = $name
                Available  = [bool]$cmd
                Detail     = if ($cmd) { $cmd.Source } else { "not on PATH; install the Debian package '$($programs[$name])'" }
            })
    }
    foreach ($c in $checks) { if ($All -or -not $c.Available) { $c } }
}

function New-ReplayLab {
    <#
    .SYNOPSIS
        Builds a lab: a bridge in a switch namespace and one namespace per host, on 198.18.0.0/24.
    .DESCRIPTION
        Creates the namespace <Prefix>-sw holding bridge br0 and, for each host, the namespace
        <Prefix>-<host> with interface eth0 (a veth whose peer p-<host> is a port of br0). The veth
        pair is created directly inside the two namespaces, so nothing appears in the root namespace.
        In every namespace: lo is up, IPv6 is disabled (captures stay free of neighbour discovery and
        MLD), and net.ipv4.ip_forward is 0. Offloads stay as the kernel sets them (on, as on every Docker or
        Kubernetes host) unless -DisableOffloads. Each host gets its planned address with a /24 and the MAC
        02:00:c6:12:00:<last octet in hex>.

        If any step fails, everything created so far is removed and the error is rethrown.
    .PARAMETER Hosts
        Hosts to create, among client (198.18.0.10), online (.20), target (.30), assistant (.40) and
        bystander (.50), console (.60: a workstation that drives the others over remoting). Default: client, online,
        target, assistant.
    .PARAMETER Prefix
        Namespace name prefix (lowercase letters and digits, at most 16). Default: 'trl' and 6 random hex
        digits, so parallel runs do not collide. Building fails if namespaces with this prefix exist.
    .PARAMETER TempRoot
        Where the lab's temporary directory is created. Default: the system temp directory.
    .PARAMETER DisableOffloads
        Turn TSO, GSO, GRO and TX checksum offload off on every lab interface, so that packets and captures
        look as on a real wire (MTU-sized segments, full checksums). Not the default: users' hosts keep the
        kernel's defaults (veth and tap carry partial checksums and 64 KiB super-segments), and the lab tests
        that world first; a test that wants the cleaner one runs it as a second case.
    .OUTPUTS
        A TcpReplay.Lab object: Prefix, SwitchNamespace, Bridge, Hosts (name -> Name, Namespace, Address,
        PrefixLength, Interface, Mac, BridgePort), FakeClientNetwork, Processes, TempDirectory,
        Namespaces (those actually created), Removed.
    .EXAMPLE
        $lab = New-ReplayLab -Hosts client, online
        try { Invoke-LabCommand $lab -HostName client -Command 'ping -c1 198.18.0.20' }
        finally { Remove-ReplayLab $lab }
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [ValidateSet('client', 'online', 'target', 'assistant', 'bystander', 'console')]
        [string[]] $Hosts = @('client', 'online', 'target', 'assistant'),

        [ValidatePattern('^[a-z][a-z0-9]{0,15}$')]
        [string] $Prefix,

        [string] $TempRoot = [System.IO.Path]::GetTempPath(),

        [switch] $DisableOffloads
    )

    $needed = @('root', 'ip', 'sysctl') + @(if ($DisableOffloads) { 'ethtool' })
    $missing = @(Test-LabPrerequisite | Where-Object Name -In $needed)
    if ($missing) {
        throw "Cannot build a lab: $(($missing | ForEach-Object { "$($_.Name): $($_.Detail)" }) -join '; ')."
    }
    if (-not $Prefix) { $Prefix = 'trl' + [System.Guid]::NewGuid().ToString('N').Substring(0, 6) }
    $Hosts = @($Hosts | Select-Object -Unique)

    $existing = @(Get-LabNamespaceList | Where-Object { $_.StartsWith("$Prefix-", [System.StringComparison]::Ordinal) })
    if ($existing) {
        throw "Namespaces with prefix '$Prefix' already exist ($($existing -join ', ')); another run uses them, or a crashed one left them (remove with: Remove-ReplayLab -Prefix $Prefix)."
    }

    $hostTable = [ordered]@{}
    foreach ($h in $Hosts) {
        $address = $script:LabHostAddresses[$h]
        Assert-LabAddress $address
        $hostTable[$h] = [pscustomobject]@{
            PSTypeName   = 'TcpReplay.LabHost'
            Name         = $h
            Namespace    = "$Prefix-$h"
            Address      = $address
            PrefixLength = $script:LabSegmentPrefixLength
            Interface    = $script:LabInterfaceName
            Mac          = Get-LabMacAddress $address
            BridgePort   = "p-$h"
        }
    }

    $lab = [pscustomobject]@{
        PSTypeName        = 'TcpReplay.Lab'
        Prefix            = $Prefix
        SwitchNamespace   = "$Prefix-$($script:LabSwitchNamespaceSuffix)"
        Bridge            = $script:LabBridgeName
        Hosts             = $hostTable
        FakeClientNetwork = $script:LabFakeClientNetwork
        Offloads          = if ($DisableOffloads) { 'Off' } else { 'KernelDefault' }
        Processes         = [System.Collections.Generic.List[object]]::new()
        TempDirectory     = $null
        Namespaces        = [System.Collections.Generic.List[string]]::new()
        Removed           = $false
    }

    try {
        $temp = Join-Path $TempRoot "tcpreplay-lab-$Prefix"
        $lab.TempDirectory = (New-Item -ItemType Directory -Path $temp -Force).FullName

        $sw = $lab.SwitchNamespace
        Invoke-LabIp netns add $sw | Out-Null
        $lab.Namespaces.Add($sw)
        Invoke-LabSysctl $sw 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv4.ip_forward=0'
        Invoke-LabIp -n $sw link set lo up | Out-Null
        # No STP and no multicast snooping: ports forward at once and the bridge sends no queries.
        Invoke-LabIp -n $sw link add $lab.Bridge type bridge stp_state 0 forward_delay 0 mcast_snooping 0 | Out-Null
        Invoke-LabIp -n $sw link set $lab.Bridge up | Out-Null

        foreach ($h in $hostTable.Values) {
            $ns = $h.Namespace
            Invoke-LabIp netns add $ns | Out-Null
            $lab.Namespaces.Add($ns)
            # Before the veth exists, so that eth0 is born without IPv6 (no DAD, no router solicitations).
            Invoke-LabSysctl $ns 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv4.ip_forward=0'
            Invoke-LabIp -n $ns link set lo up | Out-Null
            # Both ends are created inside their namespaces: nothing is ever visible in the root namespace.
            Invoke-LabIp link add $h.Interface netns $ns address $h.Mac type veth peer name $h.BridgePort netns $sw | Out-Null
            Invoke-LabIp -n $sw link set $h.BridgePort master $lab.Bridge up | Out-Null
            if ($DisableOffloads) {
                Disable-LabOffload -Namespace $ns -Interface $h.Interface
                Disable-LabOffload -Namespace $sw -Interface $h.BridgePort
            }
            Invoke-LabIp -n $ns addr add "$($h.Address)/$($h.PrefixLength)" dev $h.Interface | Out-Null
            Invoke-LabIp -n $ns link set $h.Interface up | Out-Null
        }

        foreach ($ns in $lab.Namespaces) {
            $forward = Read-LabSysctl $ns 'net.ipv4.ip_forward'
            if ($forward -ne '0') { throw "net.ipv4.ip_forward is '$forward' in namespace $ns after setting it to 0." }
        }
    }
    catch {
        $failure = $_
        Remove-ReplayLab -Lab $lab -ErrorAction SilentlyContinue
        throw "Building lab '$Prefix' failed, and what had been created was removed: $($failure.Exception.Message)"
    }
    $lab
}

function Remove-ReplayLab {
    <#
    .SYNOPSIS
        Stops every process of a lab, deletes its namespaces and its temporary directory.
    .DESCRIPTION
        First stops the processes recorded on the lab (SIGTERM, bounded wait, then SIGKILL), then kills
        any other process still inside the lab's namespaces (found with `ip netns pids`), then deletes
        the namespaces (which destroys their veths and the bridge) and the temporary directory.
        Idempotent: parts already gone are skipped, and it never throws for them. Problems that remain
        (a namespace that cannot be deleted) are written as non-terminating errors.
    .PARAMETER Lab
        The lab from New-ReplayLab. Only namespaces this lab created are deleted.
    .PARAMETER Prefix
        Clean up after a run that lost its lab object: every namespace named '<Prefix>-*' is emptied and
        deleted, and the temporary directory tcpreplay-lab-<Prefix> in the system temp directory removed.
    .EXAMPLE
        $lab = New-ReplayLab; try { ... } finally { Remove-ReplayLab $lab }
    .EXAMPLE
        Remove-ReplayLab -Prefix trl1a2b3c
    #>
    [CmdletBinding(DefaultParameterSetName = 'Lab')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'Lab')]
        [AllowNull()]
        $Lab,

        [Parameter(Mandatory, ParameterSetName = 'Prefix')]
        [ValidatePattern('^[a-z][a-z0-9]{0,15}$')]
        [string] $Prefix
    )
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Lab' -and $null -eq $Lab) { return }

        if ($PSCmdlet.ParameterSetName -eq 'Lab') {
            foreach ($rec in @($Lab.Processes)) {
                try { Stop-LabProcess -Lab $Lab -Id $rec.Id -TimeoutSeconds 3 }
                catch { Write-Verbose "Stopping PID $($rec.Id): $($_.Exception.Message)" }
            }
            $namespaces = @($Lab.Namespaces)
            $temp = $Lab.TempDirectory
        }
        else {
            $namespaces = @(Get-LabNamespaceList | Where-Object { $_.StartsWith("$Prefix-", [System.StringComparison]::Ordinal) })
            $temp = Join-Path ([System.IO.Path]::GetTempPath()) "tcpreplay-lab-$Prefix"
        }

        $present = @(Get-LabNamespaceList)
        $namespaces = @($namespaces | Where-Object { $_ -in $present })

        # Processes the lab did not start itself (nginx workers, a shell's children) still pin a namespace.
        foreach ($signal in 'TERM', 'KILL') {
            $pids = @(foreach ($ns in $namespaces) { Get-LabNamespacePid $ns })
            if (-not $pids) { break }
            foreach ($id in $pids) { Send-LabSignal -Id $id -Signal $signal }
            try {
                Wait-LabCondition -TimeoutSeconds 3 -Description "processes $($pids -join ', ') to exit" -Condition {
                    -not @($pids | Where-Object { Test-LabPidAlive $_ })
                }
            }
            catch [System.TimeoutException] {
                if ($signal -eq 'KILL') { Write-Error -Message $_.Exception.Message -ErrorId 'LabProcessSurvived' -Category ResourceBusy }
            }
        }

        # Host namespaces first, the switch last: deleting a host namespace destroys its veth pair.
        [array]::Reverse($namespaces)
        foreach ($ns in $namespaces) {
            $r = Invoke-LabNative -FilePath 'ip' -ArgumentList 'netns', 'delete', $ns -TimeoutSeconds 30
            if ($r.ExitCode -ne 0 -and $ns -in @(Get-LabNamespaceList)) {
                Write-Error -Message "Cannot delete namespace ${ns}: $($r.StandardError.Trim())" -ErrorId 'LabNamespaceNotDeleted' -Category ResourceBusy -TargetObject $ns
            }
        }

        if ($temp -and (Test-Path -LiteralPath $temp)) {
            try { Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction Stop }
            catch { Write-Error -Message "Cannot remove $temp`: $($_.Exception.Message)" -ErrorId 'LabTempNotRemoved' -Category ResourceBusy -TargetObject $temp }
        }
        if ($PSCmdlet.ParameterSetName -eq 'Lab') { $Lab.Removed = $true }
    }
}

function Add-LabContainer {
    <#
    .SYNOPSIS
        Adds a "container" behind a lab host, published the way Docker publishes a port: its own namespace on a
        veth to the host, the host forwarding (ip_forward=1) and a DNAT rule from the host's port to it.
    .DESCRIPTION
        Packets DNATed to the container are forwarded, never delivered locally on the host, so an IP-layer raw
        socket on the host sees none of them; a datalink capture does. The container becomes a lab host
        (Start-LabNginx -HostName <Name> works) and Remove-ReplayLab deletes it.
    .OUTPUTS
        The container's lab host entry.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [string] $Parent = 'online',
        [string] $Name = 'container',
        [string] $ParentAddress = '198.18.1.1',
        [string] $Address = '198.18.1.2',
        [int] $Port = 8080
    )
    Assert-LabLive $Lab
    Assert-LabAddress $Address
    Assert-LabAddress $ParentAddress
    $parentHost = $Lab.Hosts[$Parent]
    $ns = "$($Lab.Prefix)-$Name"
    Invoke-LabIp netns add $ns | Out-Null
    $Lab.Namespaces.Add($ns)
    Invoke-LabSysctl $ns 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'
    Invoke-LabIp -n $ns link set lo up | Out-Null
    Invoke-LabIp link add 'eth0' netns $ns type veth peer name "v-$Name" netns $parentHost.Namespace | Out-Null
    if ($Lab.Offloads -eq 'Off') {
        Disable-LabOffload -Namespace $ns -Interface 'eth0'
        Disable-LabOffload -Namespace $parentHost.Namespace -Interface "v-$Name"
    }
    Invoke-LabIp -n $ns addr add "$Address/24" dev eth0 | Out-Null
    Invoke-LabIp -n $ns link set eth0 up | Out-Null
    Invoke-LabIp -n $ns route add default via $ParentAddress | Out-Null
    Invoke-LabIp -n $parentHost.Namespace addr add "$ParentAddress/24" dev "v-$Name" | Out-Null
    Invoke-LabIp -n $parentHost.Namespace link set "v-$Name" up | Out-Null
    Invoke-LabSysctl $parentHost.Namespace 'net.ipv4.ip_forward=1'
    Invoke-LabIp netns exec $parentHost.Namespace iptables -t nat -A PREROUTING -p tcp -d $parentHost.Address --dport $Port -j DNAT --to-destination "${Address}:$Port" | Out-Null
    $entry = [pscustomobject]@{
        PSTypeName   = 'TcpReplay.LabHost'
        Name         = $Name
        Namespace    = $ns
        Address      = $Address
        PrefixLength = 24
        Interface    = 'eth0'
        Mac          = $null
        BridgePort   = $null
    }
    $Lab.Hosts[$Name] = $entry
    $entry
}

function Invoke-LabCommand {
    <#
    .SYNOPSIS
        Runs a bash command line inside one host's namespace and returns its output.
    .DESCRIPTION
        Runs `ip netns exec <namespace> bash -c <Command>`, waits at most TimeoutSeconds (then kills
        the command and its children and throws), and writes standard output as lines. A non-zero exit
        throws an error that quotes standard error, unless -IgnoreExitCode is given.
    .PARAMETER Lab
        The lab.
    .PARAMETER HostName
        A host of the lab (client, online, ...), or 'switch' for the namespace holding the bridge.
    .PARAMETER Command
        A bash command line.
    .PARAMETER TimeoutSeconds
        Upper bound on the run time. Default 60.
    .PARAMETER IgnoreExitCode
        Do not throw on a non-zero exit code.
    .PARAMETER Raw
        Write standard output as one string instead of lines.
    .PARAMETER PassThru
        Write an object with ExitCode, StandardOutput, StandardError and TimedOut instead of the output
        (a non-zero exit still throws unless -IgnoreExitCode is given too).
    .EXAMPLE
        Invoke-LabCommand $lab -HostName client -Command 'curl -sS --max-time 5 http://198.18.0.20:8080/'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [Parameter(Mandatory)] [string] $Command,
        [double] $TimeoutSeconds = 60,
        [switch] $IgnoreExitCode,
        [switch] $Raw,
        [switch] $PassThru
    )
    Assert-LabLive $Lab
    $ns = Resolve-LabNamespace $Lab $HostName
    $r = Invoke-LabNative -FilePath 'ip' -ArgumentList 'netns', 'exec', $ns, 'bash', '-c', $Command -TimeoutSeconds $TimeoutSeconds
    if ($r.TimedOut) {
        throw "Command on $HostName ($ns) did not finish within $TimeoutSeconds s and was killed: $Command"
    }
    if ($r.ExitCode -ne 0 -and -not $IgnoreExitCode) {
        $err = $r.StandardError.Trim()
        if (-not $err) { $err = '(no standard error)' }
        throw "Command on $HostName ($ns) exited with code $($r.ExitCode): $Command`n$err"
    }
    if ($PassThru) { return $r }
    if ($Raw) { return $r.StandardOutput }
    if ($r.StandardOutput.Length -gt 0) { $r.StandardOutput.TrimEnd("`n") -split "`n" }
}

function Start-LabProcess {
    <#
    .SYNOPSIS
        Starts a program in the background inside one host's namespace and records its PID on the lab.
    .DESCRIPTION
        Runs `ip netns exec <namespace> bash -c 'exec "$@" <in >out 2>err'`: ip and bash both exec, so
        the PID returned is the program's own. Standard input is /dev/null; standard output and error
        go to files (by default in the lab's temporary directory). Remove-ReplayLab stops it.
    .PARAMETER Lab
        The lab.
    .PARAMETER HostName
        A host of the lab, or 'switch'.
    .PARAMETER FilePath
        The program (searched on PATH inside the namespace).
    .PARAMETER ArgumentList
        Its arguments, passed as they are (no shell parsing).
    .PARAMETER StandardOutput
        File that receives standard output. Default: <TempDirectory>/<name>-<n>.out.
    .PARAMETER StandardError
        File that receives standard error. Default: <TempDirectory>/<name>-<n>.err.
    .PARAMETER Name
        A label for the process (default: the program's file name).
    .OUTPUTS
        A TcpReplay.LabProcess: Id, Name, HostName, Namespace, FilePath, ArgumentList, StandardOutput,
        StandardError, StartTime, Process ([System.Diagnostics.Process]).
    .EXAMPLE
        $p = Start-LabProcess $lab -HostName client -FilePath python3 -ArgumentList '-m', 'http.server'
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [string] $StandardOutput,
        [string] $StandardError,
        [string] $Name
    )
    Assert-LabLive $Lab
    $ns = Resolve-LabNamespace $Lab $HostName
    if (-not $Name) { $Name = [System.IO.Path]::GetFileName($FilePath) }
    $n = $Lab.Processes.Count + 1
    if (-not $StandardOutput) { $StandardOutput = Join-Path $Lab.TempDirectory "$Name-$n.out" }
    if (-not $StandardError) { $StandardError = Join-Path $Lab.TempDirectory "$Name-$n.err" }
    $StandardOutput = [System.IO.Path]::GetFullPath($StandardOutput)
    $StandardError = [System.IO.Path]::GetFullPath($StandardError)

    $psi = [System.Diagnostics.ProcessStartInfo]::new('ip')
    $script = 'out=$1; err=$2; shift 2; exec "$@" </dev/null >"$out" 2>"$err"'
    foreach ($a in @('netns', 'exec', $ns, 'bash', '-c', $script, 'lab-exec', $StandardOutput, $StandardError, $FilePath) + $ArgumentList) {
        $psi.ArgumentList.Add($a)
    }
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $record = [pscustomobject]@{
        PSTypeName     = 'TcpReplay.LabProcess'
        Id             = $process.Id
        Name           = $Name
        HostName       = $HostName
        Namespace      = $ns
        FilePath       = $FilePath
        ArgumentList   = $ArgumentList
        StandardOutput = $StandardOutput
        StandardError  = $StandardError
        StartTime      = [datetime]::UtcNow
        Process        = $process
    }
    $Lab.Processes.Add($record)
    $record
}

function Stop-LabProcess {
    <#
    .SYNOPSIS
        Stops a process the lab started: a signal (TERM by default), a bounded wait, then SIGKILL.
    .DESCRIPTION
        Only processes recorded on the lab by Start-LabProcess can be stopped this way, so a recycled
        PID is never signalled: the recorded process handle tells whether that very process still runs.
        Returns nothing; a process that has already exited is not an error.
    .PARAMETER Lab
        The lab.
    .PARAMETER Id
        PID(s) returned by Start-LabProcess (also accepted from the pipeline by property name).
    .PARAMETER Signal
        First signal: TERM (default) or INT.
    .PARAMETER TimeoutSeconds
        How long to wait after the first signal before SIGKILL. Default 5.
    .EXAMPLE
        Stop-LabProcess $lab -Id $p.Id
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [int[]] $Id,
        [ValidateSet('TERM', 'INT')] [string] $Signal = 'TERM',
        [double] $TimeoutSeconds = 5
    )
    process {
        foreach ($pidValue in $Id) {
            $rec = Find-LabProcessRecord $Lab $pidValue
            if (-not $rec) { throw "PID $pidValue was not started by lab '$($Lab.Prefix)'; only lab processes can be stopped here." }
            if (-not (Test-LabProcessRunning $rec)) { continue }
            Send-LabSignal -Id $pidValue -Signal $Signal
            if (-not $rec.Process.WaitForExit([int]($TimeoutSeconds * 1000))) {
                Write-Verbose "PID $pidValue ($($rec.Name)) ignored SIG$Signal for $TimeoutSeconds s; sending SIGKILL."
                Send-LabSignal -Id $pidValue -Signal KILL
                if (-not $rec.Process.WaitForExit(5000)) {
                    throw "PID $pidValue ($($rec.Name)) survived SIGKILL for 5 s (stuck in the kernel?)."
                }
            }
        }
    }
}

function Start-LabNginx {
    <#
    .SYNOPSIS
        Starts nginx in one host's namespace with a configuration of its own, and waits until it answers.
    .DESCRIPTION
        Writes nginx.conf, a document root and logs under <TempDirectory>/nginx-<host>-<port>, starts
        nginx (daemon off, one worker) with Start-LabProcess and waits (bounded) until the port accepts
        TCP connections. Locations:
          /               200 "ok\n" (3 bytes)
          /static/4k.bin  a 4096-byte file
          /static/64k.bin a 65536-byte file (several segments)
        keepalive_requests is 1000 and keepalive_timeout KeepaliveTimeoutSeconds, so a test's keep-alive
        connections are closed by the client, not by nginx. The access log is tab-separated:
        remote_addr, remote_port, request, status, body_bytes_sent, connection, connection_requests, msec.
    .PARAMETER Lab
        The lab.
    .PARAMETER HostName
        The host to run on.
    .PARAMETER Port
        TCP port. Default 8080.
    .PARAMETER Address
        Listen address (inside 198.18.0.0/15). Default: the host's address.
    .PARAMETER KeepaliveTimeoutSeconds
        nginx keepalive_timeout. Default 120.
    .PARAMETER TimeoutSeconds
        How long to wait for the port to answer. Default 10.
    .OUTPUTS
        A TcpReplay.LabNginx: HostName, Address, Port, Id (master PID), Directory, ConfigPath,
        AccessLogPath, ErrorLogPath, Url.
    .EXAMPLE
        $web = Start-LabNginx $lab -HostName online -Port 8080
        Invoke-LabCommand $lab -HostName client -Command "curl -s $($web.Url)"
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [ValidateRange(1, 65535)] [int] $Port = 8080,
        [string] $Address,
        [ValidateRange(1, 3600)] [int] $KeepaliveTimeoutSeconds = 120,
        [double] $TimeoutSeconds = 10
    )
    Assert-LabLive $Lab
    $null = Resolve-LabNamespace $Lab $HostName
    if ($HostName -eq $script:LabSwitchName) { throw "nginx runs on a host, not on the switch." }
    if (-not $Address) { $Address = $Lab.Hosts[$HostName].Address }
    Assert-LabAddress $Address

    $dir = Join-Path $Lab.TempDirectory "nginx-$HostName-$Port"
    if (Test-Path -LiteralPath $dir) { throw "nginx on $HostName port $Port was already started in this lab ($dir)." }
    $root = Join-Path $dir 'html'
    $null = New-Item -ItemType Directory -Path (Join-Path $root 'static') -Force
    # Workers run as nobody: they must be able to traverse to the document root.
    foreach ($d in $Lab.TempDirectory, $dir, $root, (Join-Path $root 'static')) {
        [System.IO.File]::SetUnixFileMode($d, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
    }
    # A small page as a web server's front page is (about nginx's own welcome page): the load bench's static-file
    # workload, where each request opens and sends a file and writes the access log.
    $page = "<!DOCTYPE html>`n<html><head><title>TcpReplay lab</title></head>`n<body>`n" + (('<p>' + ('lab page ' * 8) + '</p>' + "`n") * 7) + "</body></html>`n"
    [System.IO.File]::WriteAllText((Join-Path $root 'static/index.html'), $page)
    foreach ($size in 4096, 65536) {
        $line = [System.Text.Encoding]::ASCII.GetBytes(('x' * 63) + "`n")
        $bytes = [byte[]]::new($size)
        for ($i = 0; $i -lt $size; $i += 64) { [Array]::Copy($line, 0, $bytes, $i, 64) }
        [System.IO.File]::WriteAllBytes((Join-Path $root "static/$($size / 1024)k.bin"), $bytes)
    }
    $access = Join-Path $dir 'access.log'
    $errorLog = Join-Path $dir 'error.log'
    $conf = Join-Path $dir 'nginx.conf'
    $confText = @"
# Written by Start-LabNginx for lab $($Lab.Prefix); nginx runs in namespace $($Lab.Hosts[$HostName].Namespace).
daemon off;
master_process on;
worker_processes 1;
user nobody nogroup;
pid $dir/nginx.pid;
error_log $errorLog info;
events { worker_connections 1024; }
http {
    log_format lab "`$remote_addr\t`$remote_port\t`$request\t`$status\t`$body_bytes_sent\t`$connection\t`$connection_requests\t`$msec";
    access_log $access lab;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 1000;
    keepalive_timeout ${KeepaliveTimeoutSeconds}s;
    server {
        listen ${Address}:$Port backlog=1024;
        root $root;
        location = / { default_type text/plain; return 200 "ok\n"; }
        location /static/ { }
    }
}
"@
    [System.IO.File]::WriteAllText($conf, $confText)

    $proc = Start-LabProcess -Lab $Lab -HostName $HostName -FilePath 'nginx' -Name "nginx-$HostName-$Port" `
        -ArgumentList '-p', $dir, '-c', $conf, '-e', $errorLog
    $ns = $Lab.Hosts[$HostName].Namespace
    try {
        Wait-LabCondition -TimeoutSeconds $TimeoutSeconds -Description "nginx on $HostName to accept connections on ${Address}:$Port" -Condition {
            if ($proc.Process.HasExited) {
                $log = if (Test-Path -LiteralPath $errorLog) { (Get-Content -LiteralPath $errorLog -Raw) } else { '' }
                $err = if (Test-Path -LiteralPath $proc.StandardError) { (Get-Content -LiteralPath $proc.StandardError -Raw) } else { '' }
                throw "nginx on $HostName exited with code $($proc.Process.ExitCode) before accepting connections: $err $log"
            }
            # bash's /dev/tcp connects and closes at once; it succeeds only once the listener exists.
            (Invoke-LabNative -FilePath 'ip' -ArgumentList 'netns', 'exec', $ns, 'bash', '-c', "exec 3<>/dev/tcp/$Address/$Port" -TimeoutSeconds 5).ExitCode -eq 0
        }
    }
    catch {
        Stop-LabProcess -Lab $Lab -Id $proc.Id -TimeoutSeconds 3
        throw
    }
    [pscustomobject]@{
        PSTypeName    = 'TcpReplay.LabNginx'
        HostName      = $HostName
        Address       = $Address
        Port          = $Port
        Id            = $proc.Id
        Directory     = $dir
        ConfigPath    = $conf
        AccessLogPath = $access
        ErrorLogPath  = $errorLog
        Url           = "http://${Address}:$Port"
    }
}

function Get-LabAccessLog {
    <#
    .SYNOPSIS
        Reads an access log written by Start-LabNginx as objects.
    .DESCRIPTION
        One object per request: RemoteAddress ([IPAddress]), RemotePort, Method, Target, Protocol, Status,
        BodyBytes, Connection (nginx connection serial number), ConnectionRequests (position of the request
        on its connection) and Time (UTC). The probe connection made while waiting for nginx sends no
        request and is not logged.
    .PARAMETER Path
        The access log (AccessLogPath of Start-LabNginx's result; accepted from the pipeline by that name).
    .EXAMPLE
        Start-LabNginx $lab -HostName online | Get-LabAccessLog | Group-Object RemoteAddress
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('AccessLogPath')]
        [string] $Path
    )
    process {
        if (-not (Test-Path -LiteralPath $Path)) { return }
        foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
            if (-not $line) { continue }
            $f = $line -split "`t"
            if ($f.Count -ne 8) {
                Write-Error -Message "Unexpected access log line in ${Path}: $line" -ErrorId 'LabAccessLogLine' -Category InvalidData -TargetObject $line
                continue
            }
            $req = $f[2] -split ' '
            [pscustomobject]@{
                PSTypeName         = 'TcpReplay.LabAccessLogEntry'
                RemoteAddress      = [System.Net.IPAddress]::Parse($f[0])
                RemotePort         = [int]$f[1]
                Method             = if ($req.Count -ge 1) { $req[0] } else { '' }
                Target             = if ($req.Count -ge 2) { $req[1] } else { '' }
                Protocol           = if ($req.Count -ge 3) { $req[2] } else { '' }
                Status             = [int]$f[3]
                BodyBytes          = [long]$f[4]
                Connection         = [long]$f[5]
                ConnectionRequests = [int]$f[6]
                Time               = [System.DateTimeOffset]::FromUnixTimeMilliseconds([long]([double]::Parse($f[7], [cultureinfo]::InvariantCulture) * 1000)).UtcDateTime
            }
        }
    }
}

function Start-LabCapture {
    <#
    .SYNOPSIS
        Starts tcpdump on an interface of a lab host, writing a pcap file, and waits until it listens.
    .DESCRIPTION
        Runs `tcpdump -i <Interface> -n --immediate-mode -U -s 0 -B <BufferSizeKiB> -Z root -w <Path> [Filter]`
        with Start-LabProcess. Without --immediate-mode, TPACKET_V3 hands packets over a block at a
        time and the last block is lost when tcpdump is interrupted; -U writes each packet as it
        arrives; -Z root keeps tcpdump from dropping to the tcpdump user, which could not write into
        the lab's directory. Returns once
        tcpdump reports "listening on" (bounded), so packets sent afterwards are captured.
    .PARAMETER Lab
        The lab.
    .PARAMETER HostName
        A host, or 'switch' (then Interface is a bridge port such as p-client, or br0).
    .PARAMETER Interface
        Interface name. Default eth0.
    .PARAMETER Path
        The pcap file to write.
    .PARAMETER Filter
        A pcap filter expression, e.g. 'tcp port 8080'.
    .PARAMETER BufferSizeKiB
        Kernel capture buffer. Default 32768 (32 MiB): a burst of a few hundred connections overflows
        tcpdump's 2 MiB default on a busy 2-core host. With the kernel's default offloads, libpcap sizes each
        ring slot for 64 KiB frames and this buffer holds only a few hundred of them: pass more for bursts.
    .PARAMETER TimeoutSeconds
        How long to wait for tcpdump to listen. Default 10.
    .OUTPUTS
        A TcpReplay.LabCapture: Id, HostName, Interface, Path, Filter, StandardError.
    .EXAMPLE
        $cap = Start-LabCapture $lab -HostName online -Path $file -Filter 'tcp port 8080'
        ...
        Stop-LabCapture $lab $cap
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [string] $Interface = 'eth0',
        [Parameter(Mandatory)] [string] $Path,
        [string] $Filter,
        [ValidateRange(1024, 1048576)] [int] $BufferSizeKiB = 32768,
        [double] $TimeoutSeconds = 10
    )
    Assert-LabLive $Lab
    $null = Resolve-LabNamespace $Lab $HostName
    $Path = [System.IO.Path]::GetFullPath($Path)
    $dir = [System.IO.Path]::GetDirectoryName($Path)
    if (-not (Test-Path -LiteralPath $dir)) { throw "Directory $dir for the capture file does not exist." }
    $tcpdumpArgs = @('-i', $Interface, '-n', '--immediate-mode', '-U', '-s', '0', '-B', "$BufferSizeKiB", '-Z', 'root', '-w', $Path)
    if ($Filter) { $tcpdumpArgs += $Filter }
    $proc = Start-LabProcess -Lab $Lab -HostName $HostName -FilePath 'tcpdump' -ArgumentList $tcpdumpArgs -Name "tcpdump-$HostName-$Interface"
    try {
        Wait-LabCondition -TimeoutSeconds $TimeoutSeconds -Description "tcpdump on $HostName $Interface to start listening" -Condition {
            $err = if (Test-Path -LiteralPath $proc.StandardError) { [System.IO.File]::ReadAllText($proc.StandardError) } else { '' }
            if ($err -match 'listening on') { return $true }
            if ($proc.Process.HasExited) {
                throw "tcpdump on $HostName $Interface exited with code $($proc.Process.ExitCode): $($err.Trim())"
            }
            $false
        }
    }
    catch {
        Stop-LabProcess -Lab $Lab -Id $proc.Id -TimeoutSeconds 3
        throw
    }
    [pscustomobject]@{
        PSTypeName    = 'TcpReplay.LabCapture'
        Id            = $proc.Id
        HostName      = $HostName
        Interface     = $Interface
        Path          = $Path
        Filter        = $Filter
        StandardError = $proc.StandardError
    }
}

function Stop-LabCapture {
    <#
    .SYNOPSIS
        Stops a capture started by Start-LabCapture and waits until its file is complete.
    .DESCRIPTION
        First waits (at most 2 s) until the file has stopped growing for SettleMilliseconds, so packets
        already on the wire are written; then sends SIGINT to tcpdump (SIGKILL after TimeoutSeconds),
        waits for it to exit, which is when the file is flushed and closed, and returns tcpdump's counts.
    .PARAMETER Lab
        The lab.
    .PARAMETER Capture
        The object returned by Start-LabCapture.
    .PARAMETER SettleMilliseconds
        How long the file must stay the same size before tcpdump is stopped. Default 200; 0 stops at once.
    .PARAMETER TimeoutSeconds
        How long tcpdump has to finish after SIGINT. Default 10.
    .OUTPUTS
        A TcpReplay.LabCaptureResult: Path, Length (bytes), PacketsCaptured, PacketsReceivedByFilter,
        PacketsDroppedByKernel (null when tcpdump did not report them, e.g. after SIGKILL).
    .EXAMPLE
        $stats = Stop-LabCapture $lab $cap; $stats.PacketsDroppedByKernel | Should -Be 0
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory, Position = 1, ValueFromPipeline)] $Capture,
        [ValidateRange(0, 2000)] [int] $SettleMilliseconds = 200,
        [double] $TimeoutSeconds = 10
    )
    process {
        if ($SettleMilliseconds -gt 0) {
            $settleClock = [System.Diagnostics.Stopwatch]::StartNew()
            $lastLength = -1L
            $stableSince = $settleClock.ElapsedMilliseconds
            while ($settleClock.ElapsedMilliseconds -lt 2000) {
                $length = if (Test-Path -LiteralPath $Capture.Path) { (Get-Item -LiteralPath $Capture.Path).Length } else { 0L }
                if ($length -ne $lastLength) { $lastLength = $length; $stableSince = $settleClock.ElapsedMilliseconds }
                elseif ($settleClock.ElapsedMilliseconds - $stableSince -ge $SettleMilliseconds) { break }
                Start-Sleep -Milliseconds 50
            }
        }
        Stop-LabProcess -Lab $Lab -Id $Capture.Id -Signal INT -TimeoutSeconds $TimeoutSeconds
        $err = if (Test-Path -LiteralPath $Capture.StandardError) { [System.IO.File]::ReadAllText($Capture.StandardError) } else { '' }
        $count = {
            param($what)
            if ($err -match "(?m)^(\d+) packets? $what") { [long]$Matches[1] } else { $null }
        }
        if (-not (Test-Path -LiteralPath $Capture.Path)) {
            throw "tcpdump on $($Capture.HostName) $($Capture.Interface) wrote no file $($Capture.Path): $($err.Trim())"
        }
        [pscustomobject]@{
            PSTypeName              = 'TcpReplay.LabCaptureResult'
            Path                    = $Capture.Path
            Length                  = (Get-Item -LiteralPath $Capture.Path).Length
            PacketsCaptured         = & $count 'captured'
            PacketsReceivedByFilter = & $count 'received by filter'
            PacketsDroppedByKernel  = & $count 'dropped by kernel'
        }
    }
}

function Measure-LabChecksum {
    <#
    .SYNOPSIS
        Verifies the IPv4 and TCP checksums of every packet in a capture, as tcpdump -vv does; returns the counts.
    .DESCRIPTION
        A capture taken where packets arrive (the target's eth0) holds them as the receiving kernel checks them: a
        packet counted Incorrect there is one the kernel dropped. Captures of a host's own outgoing packets hold
        partial checksums under tx-checksum offload and are no use here.
    .PARAMETER Path
        The pcap file (full packets: Start-LabCapture takes them with -s 0).
    .PARAMETER Filter
        A pcap filter applied when reading, e.g. 'src net 198.19.0.0/16'.
    .OUTPUTS
        Packets (tcpdump's lines), Correct, Incorrect (TCP or IP checksum), Example (the first incorrect line).
    #>
    param([Parameter(Mandatory)] [string] $Path, [string] $Filter)
    $arguments = @('-r', $Path, '-n', '-vv') + @(if ($Filter) { $Filter })
    $r = Invoke-LabNative -FilePath 'tcpdump' -ArgumentList $arguments -TimeoutSeconds 120
    if ($r.ExitCode -ne 0) { throw "tcpdump -r $Path failed (exit $($r.ExitCode)): $($r.StandardError.Trim())" }
    # -vv puts each packet's IP header on one line and its TCP line (with the cksum) on the next.
    $lines = @($r.StandardOutput -split "`n" | Where-Object { $_ -match 'cksum 0x' -or $_ -match 'bad cksum' })
    $incorrect = @($lines | Where-Object { $_ -match 'incorrect' -or $_ -match 'bad cksum' })
    [pscustomobject]@{
        Packets   = @($r.StandardOutput -split "`n" | Where-Object { $_ -match '^\d\d:\d\d' }).Count
        Correct   = @($lines | Where-Object { $_ -match '\(correct\)' }).Count
        Incorrect = $incorrect.Count
        Example   = $incorrect | Select-Object -First 1
    }
}

Export-ModuleMember -Function @(
    'Test-LabPrerequisite'
    'Get-LabModulePath'
    'Get-LabSkipReason'
    'Measure-LabChecksum'
    'New-ReplayLab'
    'Remove-ReplayLab'
    'Invoke-LabCommand'
    'Start-LabProcess'
    'Add-LabContainer'
    'Stop-LabProcess'
    'Start-LabNginx'
    'Get-LabAccessLog'
    'Start-LabCapture'
    'Stop-LabCapture'
)
