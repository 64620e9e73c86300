#Requires -Version 7.4
<#
.SYNOPSIS
    Streaming copies side by side in one lab (make bench-streaming): TcpReplay in each pacing and C tcpcopy 1.3, live and
    offline, on the strict WebSocket recognizer of issue 16.
.DESCRIPTION
    Builds the four-host lab (198.18.0.0/15 only, the kernel's default offloads) with the streaming test service
    (examples/StreamingService) on online and target, as tests/Pester/Streaming.Lab.Tests.ps1 does: 50 sessions of 20
    frames 100 ms apart, then "end"; the client closes right after the final; online final 0.6-1.2 s after "end", target
    0.6-2.0 s; a Close before the final aborts. Two partial variants: timed (port 8080) and sparse (port 8081).
    For each repeat, copier and variant: a live copy (tcpdump of the client side on online, of the copy on the target),
    then the offline replay of that run's online capture (Start-TcpCopy -Path, or tcpcopy-offline). Each run has its
    own fake network, so the target's session log tells the runs apart. Per run: finals and aborts on the target,
    audio frame lateness against the capture (tests/Lab/streaming_timing.py), Close frames and FINs earlier than
    captured, and TcpReplay's answer holds.
    Copiers: Causal, Timeline, WaitResponse (TcpReplay with its own intercept), Tcpcopy and TcpcopyNoWait (tcpcopy-raw
    and tcpcopy-offline, without and with -W, with the C intercept). The C binaries are those of
    ../shared/reference/tcpcopy-1.3.0 beside the repository (TCPREPLAY_REFERENCE overrides). Everything is bounded in
    time; the lab and every process it started are removed in a finally block. Needs root and `make module`.
.PARAMETER Copiers
    Which copiers, in order. Default: all five.
.PARAMETER Repeat
    How many times the whole set runs (the spread). Default 1.
.PARAMETER ResultFile
    Where every run's figures go as JSON (default out/bench-streaming.json).
.EXAMPLE
    dotnet tool run pwsh -- -File bench/lab/Measure-StreamingCopy.ps1 -Repeat 3
.EXAMPLE
    dotnet tool run pwsh -- -File bench/lab/Measure-StreamingCopy.ps1 -Copiers Causal, Tcpcopy
#>
param(
    [string] $ModulePath = "$PSScriptRoot/../../out/TcpReplay/TcpReplay.psd1",
    [ValidateSet('Causal', 'Timeline', 'WaitResponse', 'Tcpcopy', 'TcpcopyNoWait')]
    [string[]] $Copiers = @('Causal', 'Timeline', 'WaitResponse', 'Tcpcopy', 'TcpcopyNoWait'),
    [ValidateRange(1, 10)] [int] $Repeat = 1,
    [string] $ResultFile = "$PSScriptRoot/../../out/bench-streaming.json"
)
$ErrorActionPreference = 'Stop'
if ((id -u) -ne '0') { throw 'The streaming benchmark builds network namespaces: run it as root.' }
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module "$PSScriptRoot/../../tests/Lab/TcpReplayLab.psm1" -Force
Import-Module "$PSScriptRoot/../../tests/Lab/LiveCopyLab.psm1" -Force
Import-Module "$PSScriptRoot/../../tests/Lab/StreamingLab.psm1" -Force

$client = @{ Sessions = 50; FramesPerSecond = 10; DurationSeconds = 2; StaggerMs = 10; EndMode = 'close-after-final'; FinalTimeoutSeconds = 10; DeadlineSeconds = 40 }
$variants = @(@{ Name = 'timed'; Port = 8080; Partials = 'timed' }, @{ Name = 'sparse'; Port = 8081; Partials = 'frames' })
$script:nextNet = 10

function New-FakeNet { $n = $script:nextNet; $script:nextNet++; "198.19.$n" }

function Start-Intercept($lab, [bool] $C) {
    if ($C) {
        $process = Start-LabProcess $lab -HostName assistant -FilePath (Get-LabReferenceBinary $lab 'intercept') -Name "c-intercept-$(New-Guid)" -ArgumentList @(
            '-i', 'eth0', '-F', 'tcp and (src port 8080 or src port 8081)', '-l', (Join-Path $lab.TempDirectory 'c-intercept.log'))
        $null = Wait-LabChannelSocket $lab -HostName assistant -State listening
        return [pscustomobject]@{ C = $true; Process = $process }
    }
    $role = Start-LabRole $lab -Role Intercept -HostName assistant -ModulePath $ModulePath -Wait -Name "intercept-$(New-Guid)" -Parameters @{ Interface = 'eth0'; DeadlineSeconds = 1200 }
    [pscustomobject]@{ C = $false; Role = $role }
}

function Stop-Intercept($lab, $intercept) {
    if ($intercept.C) { Stop-LabProcess $lab -Id $intercept.Process.Id -TimeoutSeconds 5 } else { $null = Stop-LabRole $lab $intercept.Role }
}

function Get-RunFigures($lab, $Service, [string] $Net, [int] $Before, [string] $Original, [string] $TargetPcap, [int] $Port) {
    $outcomes = @(Wait-LabStreamingOutcome $Service -Count ($Before + $client.Sessions) -FromNetworkPrefix "$Net." -TimeoutSeconds 25 | Select-Object -Skip $Before)
    $timing = Measure-LabStreamingTiming $Original $TargetPcap -Port $Port
    [ordered]@{
        Logged             = $outcomes.Count
        Finals             = @($outcomes | Where-Object final).Count
        Aborts             = @($outcomes | Where-Object outcome -NE 'final').Count
        FrameLateP50Ms     = $timing.audio_frames.p50_ms
        FrameLateP99Ms     = $timing.audio_frames.p99_ms
        FrameLateMaxMs     = $timing.audio_frames.max_ms
        FramesMatched      = $timing.audio_frames.count
        CloseFramesEarly   = $timing.close_frames_early
        FinsEarly          = $timing.fins_early
        TargetSessionP50Ms = if ($outcomes) { ($outcomes.durationMs | Sort-Object)[[int]($outcomes.Count / 2)] } else { $null }
    }
}

function Invoke-LiveRun($lab, [string] $Copier, $Variant, $Services) {
    $port = $Variant.Port
    $net = New-FakeNet
    $before = @(Get-LabStreamingOutcome $Services.Target[$port].SessionLogPath -FromNetworkPrefix "$net.").Count
    $name = "$Copier-$($Variant.Name)-$net"
    $onlinePcap = Start-LabCapture $lab -HostName online -Path (Join-Path $lab.TempDirectory "$name-online.pcap") -Filter "tcp port $port and host 198.18.0.10"
    $targetPcap = Start-LabCapture $lab -HostName target -Path (Join-Path $lab.TempDirectory "$name-target.pcap") -Filter "tcp dst port $port and src net $net.0/24"
    $copy = $null
    $holds = $null
    try {
        if ($Copier -like 'Tcpcopy*') {
            $arguments = @('-x', "$port-198.18.0.30:$port", '-s', '198.18.0.40', '-c', "$net.x", '-l', (Join-Path $lab.TempDirectory "$name.log"))
            if ($Copier -eq 'TcpcopyNoWait') { $arguments += '-W' }
            $copy = Start-LabProcess $lab -HostName online -FilePath (Get-LabReferenceBinary $lab 'tcpcopy-raw') -Name "c-tcpcopy-$name" -ArgumentList $arguments
            $null = Wait-LabChannelSocket $lab -HostName online -State established
        }
        else {
            $copy = Start-LabRole $lab -Role Copy -HostName online -ModulePath $ModulePath -Wait -Name "copy-$name" -Parameters @{
                Transfer = "$port-198.18.0.30:$port"; InterceptServer = '198.18.0.40'; FakeClientAddress = "$net.0/24"; Interface = 'eth0'; DeadlineSeconds = 120; Pacing = $Copier }
            $null = Wait-LabCopyCondition $copy { param($s) $s.InterceptConnected } -What 'the intercept link'
        }
        $summary = Invoke-LabStreamingClient $lab -Url $Services.Online[$port].StreamUrl @client
        $null = Wait-LabStreamingOutcome $Services.Target[$port] -Count ($before + $client.Sessions) -FromNetworkPrefix "$net." -TimeoutSeconds 25
    }
    finally {
        if ($copy -and $Copier -like 'Tcpcopy*') { Stop-LabProcess $lab -Id $copy.Id -TimeoutSeconds 5 }
        elseif ($copy) { $holds = (Stop-LabRole $lab $copy).Session }
        $null = Stop-LabCapture $lab $onlinePcap
        $null = Stop-LabCapture $lab $targetPcap
    }
    $figures = Get-RunFigures $lab $Services.Target[$port] $net $before $onlinePcap.Path $targetPcap.Path $port
    $run = [ordered]@{ Copier = $Copier; Variant = $Variant.Name; Mode = 'live'; Net = $net; OnlineFinals = $summary.finals } + $figures
    if ($holds) { $run += [ordered]@{ AnswerHolds = $holds.AnswerHolds; AnswerHeldMaxMs = $holds.AnswerHeldMaxMs; AnswerWaitTimeouts = $holds.AnswerWaitTimeouts } }
    [pscustomobject]$run, $onlinePcap.Path
}

function Invoke-OfflineRun($lab, [string] $Copier, $Variant, $Services, [string] $Capture) {
    $port = $Variant.Port
    $net = New-FakeNet
    $before = @(Get-LabStreamingOutcome $Services.Target[$port].SessionLogPath -FromNetworkPrefix "$net.").Count
    $targetPcap = Start-LabCapture $lab -HostName target -Path (Join-Path $lab.TempDirectory "$Copier-$($Variant.Name)-$net-replay.pcap") -Filter "tcp dst port $port and src net $net.0/24"
    $holds = $null
    try {
        if ($Copier -like 'Tcpcopy*') {
            $arguments = @('-i', $Capture, '-x', "$port-198.18.0.30:$port", '-s', '198.18.0.40', '-c', "$net.x", '-l', (Join-Path $lab.TempDirectory "$Copier-$net-offline.log"))
            if ($Copier -eq 'TcpcopyNoWait') { $arguments += '-W' }
            $process = Start-LabProcess $lab -HostName online -FilePath (Get-LabReferenceBinary $lab 'tcpcopy-offline') -Name "c-offline-$net" -ArgumentList $arguments
            try { $null = Wait-LabStreamingOutcome $Services.Target[$port] -Count ($before + $client.Sessions) -FromNetworkPrefix "$net." -TimeoutSeconds 40 }
            finally { Stop-LabProcess $lab -Id $process.Id -TimeoutSeconds 5 }
        }
        else {
            $output = Invoke-LabPwsh $lab -HostName online -TimeoutSeconds 90 -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath'
`$s = Start-TcpCopy -Path '$Capture' -Transfer '$port-198.18.0.30:$port' -InterceptServer 198.18.0.40 -FakeClientAddress $net.0/24 -Pacing $Copier
`$null = `$s | Wait-TcpCopy -TimeoutSeconds 60
if ("`$(`$s.JobStateInfo.State)" -eq 'Running') { Stop-TcpCopy `$s }
[pscustomobject]@{ AnswerHolds = `$s.AnswerHolds; AnswerHeldMaxMs = `$s.AnswerHeldMax.TotalMilliseconds; AnswerWaitTimeouts = `$s.AnswerWaitTimeouts } | ConvertTo-Json -Compress
"@
            $holds = @($output | Where-Object { $_ -like '{*' })[-1] | ConvertFrom-Json
        }
    }
    finally {
        $null = Stop-LabCapture $lab $targetPcap
    }
    $figures = Get-RunFigures $lab $Services.Target[$port] $net $before $Capture $targetPcap.Path $port
    $run = [ordered]@{ Copier = $Copier; Variant = $Variant.Name; Mode = 'offline'; Net = $net; OnlineFinals = $null } + $figures
    if ($holds) { $run += [ordered]@{ AnswerHolds = $holds.AnswerHolds; AnswerHeldMaxMs = $holds.AnswerHeldMaxMs; AnswerWaitTimeouts = $holds.AnswerWaitTimeouts } }
    [pscustomobject]$run
}

$lab = $null
$results = [System.Collections.Generic.List[object]]::new()
try {
    $lab = New-ReplayLab -Hosts client, online, target, assistant
    $services = @{ Online = @{}; Target = @{} }
    foreach ($v in $variants) {
        $services.Online[$v.Port] = Start-LabStreamingService $lab -HostName online -Port $v.Port -Partials $v.Partials -FinalDelayMs 600 -FinalDelayMaxMs 1200 -Closer client
        $services.Target[$v.Port] = Start-LabStreamingService $lab -HostName target -Port $v.Port -Partials $v.Partials -FinalDelayMs 600 -FinalDelayMaxMs 2000 -Closer client
    }
    $null = Invoke-LabPwsh $lab -HostName target -Command "Import-Module '$ModulePath'; Set-TargetRoute -FakeClientNetwork 198.19.0.0/16 -Assistant 198.18.0.40 -Confirm:`$false | Out-String"
    for ($round = 1; $round -le $Repeat; $round++) {
        foreach ($copier in $Copiers) {
            $intercept = Start-Intercept $lab ($copier -like 'Tcpcopy*')
            try {
                foreach ($v in $variants) {
                    $live, $capture = Invoke-LiveRun $lab $copier $v $services
                    $live | Add-Member Round $round
                    $results.Add($live)
                    Write-Host ($live | ConvertTo-Json -Compress)
                    $offline = Invoke-OfflineRun $lab $copier $v $services $capture
                    $offline | Add-Member Round $round
                    $results.Add($offline)
                    Write-Host ($offline | ConvertTo-Json -Compress)
                }
            }
            finally {
                Stop-Intercept $lab $intercept
            }
        }
    }
}
finally {
    if ($lab) { Remove-ReplayLab $lab }
    $dir = Split-Path -Parent $ResultFile
    if ($dir -and -not (Test-Path $dir)) { $null = New-Item -ItemType Directory -Path $dir }
    [pscustomobject]@{ Date = [DateTime]::UtcNow.ToString('u'); Kernel = (uname -r); Cores = [Environment]::ProcessorCount; Runs = $results } |
        ConvertTo-Json -Depth 6 | Set-Content -Path $ResultFile
}
$results | Format-Table Round, Copier, Variant, Mode, OnlineFinals, Finals, Aborts, FrameLateP50Ms, FrameLateP99Ms, CloseFramesEarly, FinsEarly, AnswerHolds, AnswerWaitTimeouts -AutoSize | Out-String -Width 200 | Write-Host
