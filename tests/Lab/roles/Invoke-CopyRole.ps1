<#
.SYNOPSIS
    The online host's role in a lab run: Start-TcpCopy, then wait for the stop file, then report.
.DESCRIPTION
    Runs inside the online host's namespace (Start-LabPwsh). Writes <Control>/<Name>.ready once the copy runs
    (or <Name>.error with the ErrorRecord), keeps <Name>.status.json fresh (every -StatusIntervalMilliseconds, 200 by default) while it runs,
    stops when <Name>.stop appears or after -DeadlineSeconds, and writes the session and every connection
    record to <Name>.result.json.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Control,
    [Parameter(Mandatory)] [string[]] $Transfer,
    [Parameter(Mandatory)] [string[]] $InterceptServer,
    [Parameter(Mandatory)] [string[]] $FakeClientAddress,
    [string] $Name = 'copy',
    [string] $CaptureMode = 'Auto',
    [string] $Interface = 'eth0', # empty: none given, as in the README's commands
    [string] $Pacing, # empty: the cmdlet's default
    [string] $SendMode, # empty: the cmdlet's default (RawSocket)
    [double] $DrainTimeoutSeconds = 3,
    [switch] $Force,
    [string] $MetricsEndpoint,
    [switch] $CompareResponses,
    [int] $ResponsePayload = -1,
    [int] $Nice = 0,
    # The engine inside the role's pwsh (Start-TcpCopy -InProcess) instead of its own process.
    [switch] $InProcess,
    # Start-TcpCopy -CaptureBufferMiB: the client capture's kernel buffer (libpcap's ring); 0 leaves the cmdlet's default.
    [ValidateRange(0, 2048)] [int] $CaptureBufferMiB = 0,
    [double] $DeadlineSeconds = 120,
    [ValidateRange(50, 5000)] [int] $StatusIntervalMilliseconds = 200,
    # A folder: after the stop, the session and its records are exported there (Export-RoleObjects.ps1).
    [string] $ExportPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

. "$PSScriptRoot/Publish-RoleFile.ps1"

function Get-Status($session) {
    $session | Select-Object ClientPackets, SentPackets, Connections, OpenConnections, Completed, Failed, Responses, Retransmissions,
        CaptureGaps, SendErrors, ClosesHeld, @{ n = 'CloseHeldMaxMs'; e = { $_.CloseHeldMax.TotalMilliseconds } },
        @{ n = 'CloseHeldAverageMs'; e = { $_.CloseHeldAverage.TotalMilliseconds } }, AnswerHolds, @{ n = 'AnswerHeldMaxMs'; e = { $_.AnswerHeldMax.TotalMilliseconds } },
        @{ n = 'AnswerHeldAverageMs'; e = { $_.AnswerHeldAverage.TotalMilliseconds } }, AnswerWaitTimeouts, InterceptConnected, InterceptReconnects, EngineProcessId, CaptureDescription, @{ n = 'CaptureLayer'; e = { "$($_.CaptureLayer)" } }, CaptureReason,
        @{ n = 'State'; e = { "$($_.JobStateInfo.State)" } }, @{ n = 'Events'; e = { @($_.Events | ForEach-Object { "$_" }) } }, @{ n = 'Warnings'; e = { @($_.Warnings) } },
        @{ n = 'CloseReasons'; e = { $_.CloseReasons } },
        @{ n = 'FailureReasons'; e = { @($_.FailureReasons | Select-Object @{ n = 'CloseReason'; e = { "$($_.CloseReason)" } },
            @{ n = 'HandshakeFailure'; e = { "$($_.HandshakeFailure)" } }, Count, ExampleClient, Remedy) } }
}

try {
    $pacingParameter = if ($Pacing) { @{ Pacing = $Pacing } } else { @{} }
    # The metrics endpoint only when asked, with the role's name as the session's (its tcpreplay_session label).
    $metrics = if ($MetricsEndpoint) { @{ MetricsEndpoint = $MetricsEndpoint; Name = $Name } } else { @{} }
    $compare = @{}
    if ($CompareResponses) { $compare.CompareResponses = $true }
    if ($ResponsePayload -ge 0) { $compare.ResponsePayload = $ResponsePayload }
    $interfaceParameter = if ($Interface) { @{ Interface = $Interface } } else { @{} }
    if ($SendMode) { $interfaceParameter.SendMode = $SendMode }
    $buffer = if ($CaptureBufferMiB -gt 0) { @{ CaptureBufferMiB = $CaptureBufferMiB } } else { @{} }
    $session = Start-TcpCopy -Transfer $Transfer -InterceptServer $InterceptServer -FakeClientAddress $FakeClientAddress `
        -CaptureMode $CaptureMode @interfaceParameter -DrainTimeoutSeconds $DrainTimeoutSeconds -Force:$Force -Nice $Nice -InProcess:$InProcess -WarningVariable warnings @pacingParameter @metrics @compare @buffer
}
catch {
    [pscustomobject]@{ ErrorId = $_.FullyQualifiedErrorId; Message = "$_"; RecommendedAction = $_.ErrorDetails.RecommendedAction } |
        ConvertTo-Json | Out-String | ForEach-Object { Publish-File (Join-Path $Control "$Name.error") $_ }
    exit 1
}
Publish-File (Join-Path $Control "$Name.ready") ($warnings -join "`n")
$clock = [System.Diagnostics.Stopwatch]::StartNew()
while (-not (Test-Path (Join-Path $Control "$Name.stop")) -and $clock.Elapsed.TotalSeconds -lt $DeadlineSeconds) {
    Publish-File (Join-Path $Control "$Name.status.json") (Get-Status $session | ConvertTo-Json -Depth 4)
    Start-Sleep -Milliseconds $StatusIntervalMilliseconds
}
# For the load benchmark: the capture's and the engine queue's counters are not on the session's surface, and the
# stop releases the capture, so they are read here, before it.
$diagnostics = try {
    $live = $session.GetType().GetField('_run', [System.Reflection.BindingFlags]'NonPublic, Instance').GetValue($session)
    $gc = [GC]::GetGCMemoryInfo([GCKind]::Any)
    # The engine's own queue and pool are reachable only when it runs in this process (-InProcess).
    $engineField = $live.GetType().GetField('_engine', [System.Reflection.BindingFlags]'NonPublic, Instance')
    $engine = if ($engineField) { $engineField.GetValue($live) }
    [pscustomobject]@{ CaptureDescription = $live.CaptureDescription; Capture = $live.CaptureStatistics; QueueDrops = if ($engine) { $engine.QueueDrops } else { $session.Statistics.EngineQueueDrops }
        # Where a peak of memory goes: the managed heap (its peak since start is not kept; committed is what the GC holds now).
        ManagedHeapMiB = [math]::Round($gc.HeapSizeBytes / 1MB, 1); GcCommittedMiB = [math]::Round($gc.TotalCommittedBytes / 1MB, 1)
        GcCount = [GC]::CollectionCount(0); Gen2Count = [GC]::CollectionCount(2); AllocatedMiB = [math]::Round([GC]::GetTotalAllocatedBytes() / 1MB, 1)
        EngineBuffersOutstanding = if ($engine) { $engine.Pool.Outstanding } }
}
catch { [pscustomobject]@{ Error = "$_" } }
$stopClock = [System.Diagnostics.Stopwatch]::StartNew()
Stop-TcpCopy $session
$stopMilliseconds = $stopClock.ElapsedMilliseconds
if ($ExportPath) { & "$PSScriptRoot/Export-RoleObjects.ps1" -Session $session -Path $ExportPath }
[pscustomobject]@{
    Session          = Get-Status $session
    StopMilliseconds = $stopMilliseconds
    Capture          = $diagnostics
    Comparison       = $session | Select-Object CompareResponses, ResponsePayload, ResponsePayloadGranted, OnlineAnswerCapture, ExchangesCompared,
        StatusCodesCompared, StatusMismatches, SizesCompared, SizeMismatches, TargetSilentConnections,
        @{ n = 'OnlineP50Ms'; e = { $_.OnlineResponseTimeP50.TotalMilliseconds } }, @{ n = 'OnlineP90Ms'; e = { $_.OnlineResponseTimeP90.TotalMilliseconds } },
        @{ n = 'OnlineP99Ms'; e = { $_.OnlineResponseTimeP99.TotalMilliseconds } }, @{ n = 'OnlineMaxMs'; e = { $_.OnlineResponseTimeMax.TotalMilliseconds } },
        @{ n = 'TargetP50Ms'; e = { $_.TargetResponseTimeP50.TotalMilliseconds } }, @{ n = 'TargetP90Ms'; e = { $_.TargetResponseTimeP90.TotalMilliseconds } },
        @{ n = 'TargetP99Ms'; e = { $_.TargetResponseTimeP99.TotalMilliseconds } }, @{ n = 'TargetMaxMs'; e = { $_.TargetResponseTimeMax.TotalMilliseconds } },
        @{ n = 'Exchanges'; e = { @($_.GetExchanges() | Select-Object ConnectionId, Request, OnlineStatusCode, TargetStatusCode, OnlineResponseBytes, TargetResponseBytes,
            @{ n = 'OnlineMs'; e = { $_.OnlineResponseTime.TotalMilliseconds } }, @{ n = 'TargetMs'; e = { $_.TargetResponseTime.TotalMilliseconds } }) } }
    Statistics       = $session.Statistics | Select-Object * -ExcludeProperty SendErrorsByErrno |
        Add-Member -PassThru SendErrorsByErrno (@($session.Statistics.SendErrorsByErrno.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ' ')
    Connections      = @($session | Get-TcpCopyConnection | Select-Object Client, ClientPort, FakeClient, @{ n = 'FakeClientAddress'; e = { "$($_.FakeClientAddress)" } },
        SynSeen, ClientPackets, SentPackets, Requests, Responses, OnlineResponses, StatusMismatches, SizeMismatches, TargetAnsweredNothing,
        LastOnlineStatusCode, LastTargetStatusCode, ResponsePackets, Retransmissions, @{ n = 'CloseHeldMs'; e = { $_.CloseHeld.TotalMilliseconds } }, AnswerHolds,
        @{ n = 'AnswerHeldMs'; e = { $_.AnswerHeld.TotalMilliseconds } }, AnswerWaitTimeouts,
        @{ n = 'CloseReason'; e = { "$($_.CloseReason)" } }, @{ n = 'HandshakeFailure'; e = { "$($_.HandshakeFailure)" } }, CloseDetail, IsNormalClose)
} | ConvertTo-Json -Depth 5 | Out-String | ForEach-Object { Publish-File (Join-Path $Control "$Name.result.json") $_ }
