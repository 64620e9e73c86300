#Requires -Version 7.4
<#
    RemotingLab: PowerShell remoting over SSH between lab hosts. Start-LabSshd runs Debian's sshd (apt openssh-server)
    in a lab host's namespace, listening on that host's lab address only, with key authentication for a key the lab
    generates (New-LabSshKey) and PowerShell's SSH subsystem. Each host's remote sessions get a home of their own in
    the lab's temporary directory, so the hosts, which share this machine's file system, have separate, initially
    empty user module paths, as separate machines would. Remove-ReplayLab stops every sshd by its PID.
#>

Set-StrictMode -Version 3.0
Import-Module "$PSScriptRoot/TcpReplayLab.psm1"

function New-LabSshKey {
    <#
    .SYNOPSIS
        Generates an ed25519 key pair in the lab's temporary directory (once per lab); returns the private key's path.
    .EXAMPLE
        $key = New-LabSshKey $lab
    #>
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] $Lab)
    $key = Join-Path $Lab.TempDirectory 'ssh/id_ed25519'
    if (-not (Test-Path -LiteralPath $key)) {
        $null = New-Item -ItemType Directory -Path (Split-Path $key) -Force
        & ssh-keygen -q -t ed25519 -N '' -C 'tcpreplay-lab' -f $key
        if ($LASTEXITCODE -ne 0) { throw "ssh-keygen failed ($LASTEXITCODE)." }
        & chmod 0600 $key
    }
    $key
}

function Start-LabSshd {
    <#
    .SYNOPSIS
        Runs sshd in a lab host's namespace on its lab address, port 22, for PowerShell remoting with the lab's key.
    .DESCRIPTION
        Writes an sshd_config (its own host key, the lab key's public half as the only authorized key, no passwords,
        no PAM, the subsystem 'powershell' running this machine's pwsh with -sshs), starts `sshd -D -e` with
        Start-LabProcess and waits until it listens. The subsystem sets HOME to <lab temp>/home-<host>: that host's
        user module path and PSResourceGet settings start empty.
    .OUTPUTS
        Address, HostName, Home (the sessions' home folder), Id (the sshd's PID).
    .EXAMPLE
        $sshd = Start-LabSshd $lab -HostName target -KeyPath (New-LabSshKey $lab)
    #>
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] $Lab,
        [Parameter(Mandatory)] [string] $HostName,
        [Parameter(Mandatory)] [string] $KeyPath,
        [double] $TimeoutSeconds = 15
    )
    $address = $Lab.Hosts[$HostName].Address
    $dir = Join-Path $Lab.TempDirectory "sshd-$HostName"
    $sessionHome = Join-Path $Lab.TempDirectory "home-$HostName"
    $null = New-Item -ItemType Directory -Path $dir, $sessionHome -Force
    $hostKey = Join-Path $dir 'ssh_host_ed25519_key'
    & ssh-keygen -q -t ed25519 -N '' -f $hostKey
    if ($LASTEXITCODE -ne 0) { throw "ssh-keygen (host key) failed ($LASTEXITCODE)." }
    Copy-Item -LiteralPath "$KeyPath.pub" -Destination (Join-Path $dir 'authorized_keys')
    $subsystem = Join-Path $dir 'pwsh-subsystem.sh'
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    Set-Content -LiteralPath $subsystem -Value @"
#!/bin/sh
# PowerShell's SSH remoting subsystem for the lab host '$HostName': a home of its own, so its user module path starts empty.
export HOME='$sessionHome'
export POWERSHELL_TELEMETRY_OPTOUT=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
exec '$([Environment]::ProcessPath)' '$pwshDll' -sshs -NoLogo -NoProfile
"@
    & chmod 0755 $subsystem
    $config = Join-Path $dir 'sshd_config'
    Set-Content -LiteralPath $config -Value @"
ListenAddress $address
Port 22
HostKey $hostKey
PidFile none
AuthorizedKeysFile $(Join-Path $dir 'authorized_keys')
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
Subsystem powershell $subsystem
"@
    # sshd's privilege separation directory (Debian's service creates it at boot).
    $null = New-Item -ItemType Directory -Path '/run/sshd' -Force
    $process = Start-LabProcess $Lab -HostName $HostName -FilePath '/usr/sbin/sshd' -Name "sshd-$HostName" -ArgumentList @('-D', '-e', '-f', $config) `
        -StandardOutput (Join-Path $dir 'stdout.txt') -StandardError (Join-Path $dir 'stderr.txt')
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while (-not (Invoke-LabCommand $Lab -HostName $HostName -Command "ss -Hltn 'sport = :22'" | Where-Object { $_ })) {
        if ($process.Process.HasExited -or $clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            throw "sshd on $HostName did not listen on ${address}:22: $(Get-Content -Raw -ErrorAction Ignore (Join-Path $dir 'stderr.txt'))"
        }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ HostName = $HostName; Address = $address; Home = $sessionHome; Id = $process.Id }
}

Export-ModuleMember -Function New-LabSshKey, Start-LabSshd
