#Requires -Version 7.4
# Multi-host set-up over PowerShell remoting: the module on every host, the health checks before any change, then the
# only order that works (route on the target, intercept on the assistant, copy on each online host), and the reverse
# order to stop. Loaded as a nested module of TcpReplay; the cmdlets it drives run on the remote hosts.

Set-StrictMode -Version 3.0

# Checks that fail before a deployment only because the deployment has not made its change yet.
$script:SetUpByDeployment = @('FakeNetworkRoute', 'InterceptListening', 'InterceptReachable')

function Get-LocalModuleInfo {
    $module = Get-Module TcpReplay | Select-Object -First 1
    if (-not $module) { throw 'The TcpReplay module is not loaded in this session.' }
    $module
}

function Install-ReplayModule {
    <#
    .SYNOPSIS
        Installs or updates the TcpReplay module on remote hosts from this console's copy, over PowerShell remoting.
    .DESCRIPTION
        For each session, reads the newest TcpReplay version the remote host has. When it is older than the version to
        install, or missing, or -Force is given, installs it: from a .nupkg (-Path ending in .nupkg) through a temporary
        local repository and Install-PSResource on the remote host, or from a module folder (by default this console's
        loaded module) copied with Copy-Item -ToSession into the remote user's module path. Returns one object per host:
        ComputerName, Version, Previous (the version it had) and Action (Installed, Updated, UpToDate).
    .PARAMETER Session
        PowerShell 7 remoting sessions, e.g. New-PSSession -HostName online -UserName root -KeyFilePath ~/.ssh/id_ed25519.
    .PARAMETER Path
        A TcpReplay .nupkg (make package) or a module folder. Default: the folder of the TcpReplay module loaded here.
    .PARAMETER Force
        Installs even when the host has the same version.
    .EXAMPLE
        $hosts = 'target', 'assistant', 'online' | ForEach-Object { New-PSSession -HostName $_ -UserName root -KeyFilePath ~/.ssh/id_ed25519 }
        Install-ReplayModule -Session $hosts -Path ./out/package/TcpReplay.0.2.0.nupkg
    .EXAMPLE
        Get-PSSession | Install-ReplayModule -WhatIf
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, ValueFromPipeline)] [System.Management.Automation.Runspaces.PSSession[]] $Session,
        [string] $Path,
        [switch] $Force
    )
    begin {
        $local = Get-LocalModuleInfo
        if (-not $Path) { $Path = $local.ModuleBase }
        $Path = (Resolve-Path -LiteralPath $Path -ErrorAction Stop).Path
        $isPackage = $Path.EndsWith('.nupkg', [StringComparison]::OrdinalIgnoreCase)
        $version = if ($isPackage) {
            if ((Split-Path -Leaf $Path) -notmatch '^TcpReplay\.(\d+\.\d+\.\d+(?:\.\d+)?)\.nupkg$') {
                throw "$Path is not named TcpReplay.<version>.nupkg (make package names it so)."
            }
            [version]$Matches[1]
        }
        else { (Import-PowerShellDataFile (Join-Path $Path 'TcpReplay.psd1')).ModuleVersion -as [version] }
    }
    process {
        foreach ($s in $Session) {
            $previous = Invoke-Command -Session $s -ScriptBlock {
                Get-Module -ListAvailable TcpReplay | Sort-Object Version -Descending | Select-Object -First 1 -ExpandProperty Version
            }
            $previous = if ($previous) { [version]"$previous" } else { $null }
            if ($previous -and $previous -ge $version -and -not $Force) {
                [pscustomobject]@{ PSTypeName = 'TcpReplay.ModuleInstall'; ComputerName = $s.ComputerName; Version = $previous; Previous = $previous; Action = 'UpToDate' }
                continue
            }
            if (-not $PSCmdlet.ShouldProcess($s.ComputerName, "Install TcpReplay $version$(if ($previous) { " over $previous" })")) { continue }
            $remoteTemp = Invoke-Command -Session $s -ScriptBlock { (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "tcpreplay-install-$([guid]::NewGuid().ToString('n'))")).FullName }
            try {
                if ($isPackage) {
                    Copy-Item -LiteralPath $Path -Destination $remoteTemp -ToSession $s
                    Invoke-Command -Session $s -ArgumentList $remoteTemp, "$version" -ScriptBlock {
                        param($folder, $version)
                        $name = "TcpReplayInstall$([guid]::NewGuid().ToString('n').Substring(0, 8))"
                        Register-PSResourceRepository -Name $name -Uri $folder -Trusted
                        try { Install-PSResource -Name TcpReplay -Version $version -Repository $name -Scope CurrentUser -TrustRepository -Reinstall -Quiet -ErrorAction Stop }
                        finally { Unregister-PSResourceRepository -Name $name }
                    }
                }
                else {
                    $destination = Invoke-Command -Session $s -ArgumentList "$version" -ScriptBlock {
                        param($version)
                        $userModules = ($env:PSModulePath -split [IO.Path]::PathSeparator | Where-Object { $_.StartsWith($HOME) } | Select-Object -First 1)
                        if (-not $userModules) { $userModules = Join-Path $HOME '.local/share/powershell/Modules' }
                        $target = Join-Path $userModules "TcpReplay/$version"
                        if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Recurse -Force }
                        (New-Item -ItemType Directory -Path $target -Force).FullName
                    }
                    Copy-Item -Path (Join-Path $Path '*') -Destination $destination -ToSession $s -Recurse -Force
                }
            }
            finally {
                Invoke-Command -Session $s -ArgumentList $remoteTemp -ScriptBlock { param($folder) Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue }
            }
            [pscustomobject]@{ PSTypeName = 'TcpReplay.ModuleInstall'; ComputerName = $s.ComputerName; Version = $version; Previous = $previous; Action = if ($previous) { 'Updated' } else { 'Installed' } }
        }
    }
}

function Invoke-RoleCheck([System.Management.Automation.Runspaces.PSSession] $Session, [string] $Role, [hashtable] $Parameters) {
    Invoke-Command -Session $Session -ArgumentList $Role, $Parameters -ScriptBlock {
        param($role, $parameters)
        Import-Module TcpReplay -ErrorAction Stop
        Test-ReplayHealth -Role $role @parameters | ForEach-Object {
            [pscustomobject]@{ Check = "$($_.Name)"; Status = "$($_.Status)"; Detail = $_.Detail; Remedy = $_.Remedy; Role = "$($_.Role)" }
        }
    } | Select-Object @{ n = 'ComputerName'; e = { $Session.ComputerName } }, Role, Check, Status, Detail, Remedy
}

function Start-ReplayDeployment {
    <#
    .SYNOPSIS
        Sets up and starts a copy on several hosts over PowerShell remoting: the route on the target, the intercept on the
        assistant, the copy on each online host, after checking every host.
    .DESCRIPTION
        1. With -PackagePath, installs or updates the module on every host first (Install-ReplayModule).
        2. Runs Test-ReplayHealth for each host's role. Any failed check stops the deployment before anything is changed,
           with every failure, its host and its remedy in the error (-Force goes on anyway). Checks that only fail
           because the deployment has not run yet (the target's route, the intercept's listening socket, the online
           hosts' channel) do not stop it.
        3. Applies the set-up in the only order that works: Set-TargetRoute on the target, Start-Intercept on the
           assistant (which refuses ip_forward=1), Start-TcpCopy on each online host. A step already in place (the same
           route, a running intercept, a running copy of the same transfers) is kept, so running it again changes
           nothing. -WhatIf lists every change per host and makes none.
        The copies and the intercept live in the remote PowerShell sessions: they run as long as those sessions do. The
        returned TcpReplay.ReplayDeployment holds the sessions and the checks; watch the copies with
        Invoke-Command -Session $deployment.Online { Get-TcpCopy }, and end everything with Stop-ReplayDeployment.
    .PARAMETER Target
        The remoting session to the target host.
    .PARAMETER Assistant
        The remoting session to the assistant host.
    .PARAMETER Online
        The remoting sessions to the online hosts (one or more).
    .PARAMETER Transfer
        What to copy, as Start-TcpCopy -Transfer takes it: 'onlinePort-targetAddress:targetPort'.
    .PARAMETER FakeClientAddress
        The fake client network, e.g. 198.19.0.0/24 (Start-TcpCopy -FakeClientAddress; the target routes it).
    .PARAMETER AssistantAddress
        The assistant's address as the target and the online hosts reach it.
    .PARAMETER InterceptInterface
        The assistant's interface facing the target (Start-Intercept -Interface). Default: the intercept's own default.
    .PARAMETER OnlineInterface
        The online hosts' capture interface (Start-TcpCopy -Interface). Default: the copier's own default.
    .PARAMETER CopyParameter
        More Start-TcpCopy parameters for every online host, e.g. @{ Pacing = 'WaitResponse'; DrainTimeoutSeconds = 5 }.
    .PARAMETER PackagePath
        A TcpReplay .nupkg or module folder to install on every host first.
    .PARAMETER Force
        Goes on although a check failed.
    .EXAMPLE
        $t, $a, $o = 'target', 'assistant', 'online' | ForEach-Object { New-PSSession -HostName $_ -UserName root -KeyFilePath ~/.ssh/id_ed25519 }
        $d = Start-ReplayDeployment -Target $t -Assistant $a -Online $o -Transfer '8080-198.18.0.30:8080' -FakeClientAddress 198.19.0.0/24 -AssistantAddress 198.18.0.40
        Invoke-Command -Session $d.Online { Get-TcpCopy }
    .EXAMPLE
        Start-ReplayDeployment -Target $t -Assistant $a -Online $o -Transfer '8080-198.18.0.30:8080' -FakeClientAddress 198.19.0.0/24 -AssistantAddress 198.18.0.40 -WhatIf
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [System.Management.Automation.Runspaces.PSSession] $Target,
        [Parameter(Mandatory)] [System.Management.Automation.Runspaces.PSSession] $Assistant,
        [Parameter(Mandatory)] [System.Management.Automation.Runspaces.PSSession[]] $Online,
        [Parameter(Mandatory)] [string[]] $Transfer,
        [Parameter(Mandatory)] [string] $FakeClientAddress,
        [Parameter(Mandatory)] [ipaddress] $AssistantAddress,
        [string] $InterceptInterface,
        [string] $OnlineInterface,
        [hashtable] $CopyParameter = @{},
        [string] $PackagePath,
        [switch] $Force
    )
    if ($PackagePath) {
        $null = Install-ReplayModule -Session (@($Target, $Assistant) + $Online) -Path $PackagePath
    }

    $assistantText = "$AssistantAddress"
    $checks = [System.Collections.Generic.List[object]]::new()
    $targetCheck = @{ Transfer = $Transfer; FakeClientAddress = $FakeClientAddress; Assistant = $AssistantAddress }
    $assistantCheck = @{ Transfer = $Transfer; FakeClientAddress = $FakeClientAddress }
    if ($InterceptInterface) { $assistantCheck.Interface = $InterceptInterface }
    $onlineCheck = @{ Transfer = $Transfer; FakeClientAddress = $FakeClientAddress; InterceptServer = $assistantText }
    if ($OnlineInterface) { $onlineCheck.Interface = $OnlineInterface }
    foreach ($r in @(Invoke-RoleCheck $Target 'Target' $targetCheck)) { $checks.Add($r) }
    foreach ($r in @(Invoke-RoleCheck $Assistant 'Assistant' $assistantCheck)) { $checks.Add($r) }
    foreach ($o in $Online) { foreach ($r in @(Invoke-RoleCheck $o 'Online' $onlineCheck)) { $checks.Add($r) } }
    $blocking = @($checks | Where-Object { $_.Status -eq 'Fail' -and $_.Check -notin $script:SetUpByDeployment })
    if ($blocking -and -not $Force) {
        $lines = $blocking | ForEach-Object { "$($_.ComputerName) ($($_.Role)) $($_.Check): $($_.Detail) Fix: $($_.Remedy)" }
        $record = [System.Management.Automation.ErrorRecord]::new(
            [InvalidOperationException]::new("The deployment was stopped before any change: $($blocking.Count) check(s) failed.`n$($lines -join "`n")"),
            'DeploymentCheckFailed', [System.Management.Automation.ErrorCategory]::InvalidOperation, $blocking)
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($record.Exception.Message)
        $record.ErrorDetails.RecommendedAction = "Fix each host as its line says (or go on anyway with -Force), then run Start-ReplayDeployment again."
        $PSCmdlet.ThrowTerminatingError($record)
    }

    $changes = [System.Collections.Generic.List[object]]::new()
    if ($PSCmdlet.ShouldProcess($Target.ComputerName, "Set-TargetRoute -FakeClientNetwork $FakeClientAddress -Assistant $assistantText")) {
        $changes.Add((Invoke-Command -Session $Target -ArgumentList $FakeClientAddress, $assistantText -ScriptBlock {
                    param($network, $assistant)
                    Import-Module TcpReplay -ErrorAction Stop
                    $route = Set-TargetRoute -FakeClientNetwork $network -Assistant $assistant -Confirm:$false
                    $detail = if ("$($route.Change)" -eq 'Unchanged') { 'already in place, kept' } else { "$($route.Change): $($route.Command)" }
                    [pscustomobject]@{ Step = 'Route'; Detail = $detail }
                } | Select-Object @{ n = 'ComputerName'; e = { $Target.ComputerName } }, Step, Detail))
    }
    $interceptArguments = @{}
    if ($InterceptInterface) { $interceptArguments.Interface = $InterceptInterface }
    if ($PSCmdlet.ShouldProcess($Assistant.ComputerName, 'Start-Intercept')) {
        $changes.Add((Invoke-Command -Session $Assistant -ArgumentList $interceptArguments -ScriptBlock {
                    param($arguments)
                    Import-Module TcpReplay -ErrorAction Stop
                    $running = @(Get-Intercept | Where-Object { "$($_.JobStateInfo.State)" -eq 'Running' })
                    if ($running) { return [pscustomobject]@{ Step = 'Intercept'; Detail = 'already running, kept' } }
                    $global:TcpReplayDeploymentIntercept = Start-Intercept @arguments -ErrorAction Stop
                    [pscustomobject]@{ Step = 'Intercept'; Detail = 'started' }
                } | Select-Object @{ n = 'ComputerName'; e = { $Assistant.ComputerName } }, Step, Detail))
    }
    $copyArguments = @{ Transfer = $Transfer; InterceptServer = $assistantText; FakeClientAddress = $FakeClientAddress } + $CopyParameter
    if ($OnlineInterface) { $copyArguments.Interface = $OnlineInterface }
    foreach ($o in $Online) {
        if ($PSCmdlet.ShouldProcess($o.ComputerName, "Start-TcpCopy -Transfer $($Transfer -join ',') -InterceptServer $assistantText -FakeClientAddress $FakeClientAddress")) {
            $changes.Add((Invoke-Command -Session $o -ArgumentList $copyArguments -ScriptBlock {
                        param($arguments)
                        Import-Module TcpReplay -ErrorAction Stop
                        $running = @(Get-TcpCopy | Where-Object { "$($_.JobStateInfo.State)" -eq 'Running' })
                        if ($running) { return [pscustomobject]@{ Step = 'Copy'; Detail = 'already running, kept' } }
                        $global:TcpReplayDeploymentCopy = Start-TcpCopy @arguments -ErrorAction Stop
                        [pscustomobject]@{ Step = 'Copy'; Detail = "started: $($global:TcpReplayDeploymentCopy.CaptureDescription)" }
                    } | Select-Object @{ n = 'ComputerName'; e = { $o.ComputerName } }, Step, Detail))
        }
    }
    if ($WhatIfPreference) { return }

    [pscustomobject]@{
        PSTypeName        = 'TcpReplay.ReplayDeployment'
        Target            = $Target
        Assistant         = $Assistant
        Online            = @($Online)
        Transfer          = @($Transfer)
        FakeClientAddress = $FakeClientAddress
        AssistantAddress  = $assistantText
        Checks            = @($checks)
        Changes           = @($changes)
        StartTime         = [DateTime]::UtcNow
    }
}

function Stop-ReplayDeployment {
    <#
    .SYNOPSIS
        Stops a deployment in reverse order (the copies, the intercept, the route) and brings the copies' sessions and
        connection records back.
    .DESCRIPTION
        Stops every TcpReplay copy on each online host (Stop-TcpCopy), then the intercept on the assistant
        (Stop-Intercept), then removes the fake client network's route on the target (Remove-TargetRoute). Returns a
        TcpReplay.DeploymentResult: Sessions (each online host's copy sessions, as remoting brings them back),
        Connections (their connection records) and Steps. Pipe Sessions or Connections to Export-ReplayReport for one
        report over every online host.
    .PARAMETER Deployment
        What Start-ReplayDeployment returned.
    .EXAMPLE
        $result = Stop-ReplayDeployment -Deployment $d
        $result.Connections | Export-ReplayReport -Path ./report.html
    .EXAMPLE
        $d | Stop-ReplayDeployment -WhatIf
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory, ValueFromPipeline)] [psobject] $Deployment)
    process {
        $steps = [System.Collections.Generic.List[object]]::new()
        $sessions = [System.Collections.Generic.List[object]]::new()
        $connections = [System.Collections.Generic.List[object]]::new()
        foreach ($o in $Deployment.Online) {
            if (-not $PSCmdlet.ShouldProcess($o.ComputerName, 'Stop-TcpCopy')) { continue }
            $stopped = Invoke-Command -Session $o -ScriptBlock {
                Import-Module TcpReplay -ErrorAction Stop
                $copies = @(Get-TcpCopy)
                if ($copies) { $copies | Stop-TcpCopy }
                [pscustomobject]@{ Sessions = $copies; Connections = @($copies | Get-TcpCopyConnection) }
            }
            foreach ($s in @($stopped.Sessions)) { $sessions.Add($s) }
            foreach ($c in @($stopped.Connections)) { $connections.Add($c) }
            $steps.Add([pscustomobject]@{ ComputerName = $o.ComputerName; Step = 'Copy'; Detail = "stopped $(@($stopped.Sessions).Count) copy session(s)" })
        }
        if ($PSCmdlet.ShouldProcess($Deployment.Assistant.ComputerName, 'Stop-Intercept')) {
            $count = Invoke-Command -Session $Deployment.Assistant -ScriptBlock {
                Import-Module TcpReplay -ErrorAction Stop
                $intercepts = @(Get-Intercept)
                if ($intercepts) { $intercepts | Stop-Intercept }
                $intercepts.Count
            }
            $steps.Add([pscustomobject]@{ ComputerName = $Deployment.Assistant.ComputerName; Step = 'Intercept'; Detail = "stopped $count intercept(s)" })
        }
        if ($PSCmdlet.ShouldProcess($Deployment.Target.ComputerName, "Remove-TargetRoute -FakeClientNetwork $($Deployment.FakeClientAddress)")) {
            $null = Invoke-Command -Session $Deployment.Target -ArgumentList $Deployment.FakeClientAddress -ScriptBlock {
                param($network)
                Import-Module TcpReplay -ErrorAction Stop
                Remove-TargetRoute -FakeClientNetwork $network -Confirm:$false
            }
            $steps.Add([pscustomobject]@{ ComputerName = $Deployment.Target.ComputerName; Step = 'Route'; Detail = "removed the route of $($Deployment.FakeClientAddress)" })
        }
        [pscustomobject]@{ PSTypeName = 'TcpReplay.DeploymentResult'; Sessions = @($sessions); Connections = @($connections); Steps = @($steps) }
    }
}

Export-ModuleMember -Function Install-ReplayModule, Start-ReplayDeployment, Stop-ReplayDeployment
